import type { QueryAuditTrailArgs } from '../__generated__/resolvers-types.js';
import { AuditUnavailableError, type AuditRecordConnectionModel } from '../audit/index.js';
import type { GatewayContext } from '../context.js';
import { DEFAULT_PAGE_SIZE, PAGE_SIZE_CEILING } from '../domain/pagination.js';
import { BadUserInputError, GatewayError } from '../errors.js';

/**
 * The caller's tenant's audit trail, newest first. The tenant comes from the caller, never from
 * the arguments, so no filter reaches another tenant's records. Cursors are chain sequences.
 */
export async function auditTrail(context: GatewayContext, args: QueryAuditTrailArgs): Promise<AuditRecordConnectionModel> {
  // The schema's @requiresScopes refuses this before execution; checked again so the trail stays closed
  // should the directive ever be dropped from the schema.
  if (!context.caller.scopes.has('audit:read')) throw new GatewayError('auditTrail needs the audit:read scope', 'FORBIDDEN');
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 0 || limit > PAGE_SIZE_CEILING) {
    throw new BadUserInputError(`"first" must be between 0 and ${PAGE_SIZE_CEILING}, got ${limit}`, { argument: 'first' });
  }
  const beforeSequence = args.after ? sequenceOfCursor(args.after) : null;
  const filter = args.filter ?? {};
  let records;
  try {
    records = await context.services.audit.list(context.caller.tenant.id, {
      subject: filter.subject ?? null,
      mutation: filter.mutation ?? null,
      outcome: filter.outcome ?? null,
      targetId: filter.targetId ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
      beforeSequence,
      // One more than asked tells whether there is a next page.
      limit: limit + 1,
    });
  } catch (error) {
    context.services.observability.logger.error({ err: error, requestId: context.requestId }, 'audit trail cannot be read');
    throw new AuditUnavailableError();
  }
  const page = records.slice(0, limit);
  const edges = page.map((node) => ({ cursor: cursorOf(node.sequence), node }));
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: records.length > limit,
      hasPreviousPage: beforeSequence !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function cursorOf(sequence: number): string {
  return Buffer.from(`audit:${sequence}`, 'utf8').toString('base64url');
}

function sequenceOfCursor(cursor: string): number {
  const match = /^audit:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError(`"after" is not a cursor of the audit trail: ${cursor}`, { argument: 'after' });
  return Number(match[1]);
}
