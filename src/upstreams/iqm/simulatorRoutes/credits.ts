import { Decimal } from 'decimal.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IqmSimulatorState, SimCredit } from '../simulatorState.js';
import { customerById, isEmail, jsonBody, ok, page, parseAmount, parseId, refuse, sortRows, tenantOf, type Query, type SimRoutes } from './support.js';

const CLAIM_FIELDS = ['customerName', 'businessName', 'taxId', 'contactPersonName', 'contactPersonEmail', 'incorporationPlace', 'address'] as const;

/** IQM writes credit dates as ISO with an explicit +00:00 offset. */
function isoWithOffset(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+00:00');
}

/** Credits: A27–A33. */
export function registerCreditRoutes(routes: SimRoutes, state: IqmSimulatorState): void {
  const claimedTotal = (owId: number) =>
    [...state.credits.values()].filter((credit) => credit.owId === owId && credit.status === 'Claimed').reduce((total, credit) => total.plus(credit.creditAmount), new Decimal(0));

  /** A credit the caller's organization offered to one of its customers (A31, A32). */
  const offeredCredit = (request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>): SimCredit | undefined => {
    const creditId = parseId(body['creditId']);
    const credit = creditId === null ? undefined : state.credits.get(creditId);
    if (!credit || credit.organizationWorkspaceId !== tenantOf(request).organizationWorkspaceId) {
      void refuse(reply, 'Credit with the provided ID does not exists');
      return undefined;
    }
    if (body['owId'] !== undefined && parseId(body['owId']) !== credit.owId) {
      void refuse(reply, 'Credit was not offered to the provided organization workspace');
      return undefined;
    }
    return credit;
  };

  // A27
  routes.get('/credit-summary/:owId', async (request, reply) => {
    const tenant = tenantOf(request);
    const owId = Number((request.params as { owId: string }).owId);
    if (owId === tenant.organizationWorkspaceId) {
      const organization = state.organizations.get(owId);
      return ok({ usedCredit: organization?.creditUsed ?? 0, totalCredit: claimedTotal(owId) });
    }
    const customer = customerById(state, request, reply, owId);
    if (!customer) return reply;
    return ok({ usedCredit: customer.creditUsed, totalCredit: claimedTotal(owId) });
  });

  // A28: credits offered to the caller's organization.
  routes.get('/credits/list', async (request, reply) => {
    const query = request.query as Query;
    const rows = [...state.credits.values()].filter((credit) => credit.owId === tenantOf(request).organizationWorkspaceId);
    const sorted = sortRows(rows, query['sortBy'] ?? '-modifiedAt', {
      modifiedAt: (credit) => credit.modifiedAt,
      creditAmount: (credit) => credit.creditAmount.toNumber(),
      creditId: (credit) => credit.creditId,
      status: (credit) => credit.status,
    });
    if (!sorted) return refuse(reply, `Unsupported sortBy: ${query['sortBy']}`);
    return ok(
      page(
        sorted.map((credit) => ({
          creditId: credit.creditId,
          creditAmount: credit.creditAmount,
          modifiedAt: isoWithOffset(credit.modifiedAt),
          status: credit.status,
          organizationName: credit.displayName,
        })),
        query,
        50,
      ),
    );
  });

  // A29: the doc gives no path; this one sits beside A30 (see README).
  routes.get('/customer/credit/list', async (request, reply) => {
    const customer = customerById(state, request, reply, (request.query as Query)['owId']);
    if (!customer) return reply;
    const rows = [...state.credits.values()].filter((credit) => credit.owId === customer.owId).sort((a, b) => b.creditId - a.creditId);
    return ok(
      rows.map((credit) => ({
        creditId: credit.creditId,
        owId: credit.owId,
        creditAmount: credit.creditAmount,
        status: credit.status,
        modifiedAt: isoWithOffset(credit.modifiedAt),
        uowId: credit.uowId,
        displayName: credit.displayName,
      })),
    );
  });

  // A30
  routes.post('/customer/credit/add', async (request, reply) => {
    const body = jsonBody(request);
    const customer = customerById(state, request, reply, body['owId']);
    if (!customer) return reply;
    const amount = parseAmount(body['creditAmount']);
    if (!amount || amount.lessThanOrEqualTo(0)) return refuse(reply, 'Credit amount must be greater than 0');
    const tenant = tenantOf(request);
    const creditId = state.allocateCreditId();
    state.credits.set(creditId, {
      creditId,
      owId: customer.owId,
      organizationWorkspaceId: tenant.organizationWorkspaceId,
      creditAmount: amount,
      status: 'Unclaimed',
      modifiedAt: state.now(),
      uowId: 1,
      displayName: tenant.organizationName,
    });
    return ok('Credits offered Successfully.');
  });

  // A31
  routes.patch('/customer/credit/edit', async (request, reply) => {
    const body = jsonBody(request);
    const credit = offeredCredit(request, reply, body);
    if (!credit) return reply;
    const amount = parseAmount(body['creditAmount']);
    if (!amount || amount.lessThanOrEqualTo(0)) return refuse(reply, 'Credit amount must be greater than 0');
    if (credit.status !== 'Unclaimed') return refuse(reply, `${credit.status} credits cannot be updated`);
    credit.creditAmount = amount;
    credit.modifiedAt = state.now();
    return ok('Credits updated Successfully.');
  });

  // A32
  routes.post('/customer/credit/revoke', async (request, reply) => {
    const credit = offeredCredit(request, reply, jsonBody(request));
    if (!credit) return reply;
    if (credit.status === 'Revoked') return refuse(reply, 'Credit is already revoked');
    if (credit.status === 'Claimed') return refuse(reply, 'Claimed credits cannot be revoked');
    credit.status = 'Revoked';
    credit.modifiedAt = state.now();
    return ok('Credits revoked Successfully.');
  });

  // A33: a credit offered to the caller's workspace, or (acting for them) to one of its customers.
  routes.post('/credit/claim', async (request, reply) => {
    const body = jsonBody(request);
    const tenant = tenantOf(request);
    const creditId = parseId(body['creditId']);
    const credit = creditId === null ? undefined : state.credits.get(creditId);
    const mine = credit && (credit.owId === tenant.organizationWorkspaceId || state.customerOf(tenant.organizationWorkspaceId, credit.owId));
    if (!credit || !mine) return refuse(reply, 'Credit with the provided ID does not exists');
    for (const field of CLAIM_FIELDS) {
      const value = body[field];
      if (typeof value !== 'string' || value.trim() === '') return refuse(reply, `${field} is required`);
    }
    if (!isEmail(body['contactPersonEmail'])) return refuse(reply, 'contactPersonEmail is not a valid email');
    if (credit.status === 'Revoked') return refuse(reply, 'Credit has been revoked and cannot be claimed');
    if (credit.status === 'Claimed') return refuse(reply, 'Credit has already been claimed');
    credit.status = 'Claimed';
    credit.modifiedAt = state.now();
    credit.claim = Object.fromEntries(CLAIM_FIELDS.map((field) => [field, String(body[field])]));
    const customer = state.customers.get(credit.owId);
    if (customer) customer.balance = customer.balance.plus(credit.creditAmount);
    else state.organizationBalances.set(credit.owId, (state.organizationBalances.get(credit.owId) ?? new Decimal(0)).plus(credit.creditAmount));
    return ok('Credits claimed.');
  });
}
