/**
 * The idempotency guard's store work for one money mutation, as `idempotent()` does it around the
 * upstream call: fingerprint the input and claim the key (with its holder's recovery) before, encode
 * the answer and settle the key after. Shared by bench/idempotency.ts and bench/audit.ts.
 */
import { Decimal } from 'decimal.js';
import { encodePayload, encodeRecovery, fingerprintOf, type Holder, type IdempotencyStore } from '../src/idempotency/index.js';

/** The lease and retention the gateway uses by default (REQUEST_TIMEOUT_MS + 5 s; 24 h). */
const LEASE_MS = 35_000;
const TTL_MS = 24 * 3600 * 1000;

/** A payInvoice input and the payload it answers with, as the guard sees them (domain values, Decimals and Dates). */
export function samplePayInvoice(index: number): { input: { readonly idempotencyKey: string } & Record<string, unknown>; payload: Record<string, unknown> } {
  const amount = new Decimal('100.50');
  return {
    input: { invoiceId: 'SXFtSW52b2ljZTpJUU06MjAwMTAxOjEwMDE', amount, paymentMode: 'CHEQUE', bankName: 'First National Bank', idempotencyKey: `bench-${index}` },
    payload: {
      invoice: {
        kind: 'IqmInvoice',
        owId: 200101,
        invoiceId: 1001 + index,
        number: `INV-${index}`,
        status: 'PARTIALLY_PAID',
        issuedOn: new Date('2026-09-01T00:00:00Z'),
        dueOn: new Date('2026-10-01T00:00:00Z'),
        modifiedAt: new Date('2026-10-15T12:00:00Z'),
        total: { amount: new Decimal('1250.00'), currencyCode: 'USD' },
        paid: { amount, currencyCode: 'USD' },
        outstanding: { amount: new Decimal('1149.50'), currencyCode: 'USD' },
        paymentModes: ['CHEQUE', 'WIRE_TRANSFER'],
        actionNote: null,
        statusUpdatedBy: 'finance@example.com',
      },
      userErrors: [],
    },
  };
}

/**
 * Before the upstream call: fingerprint the input and claim a fresh key with its holder, the recovery
 * encoded as idempotent() does for every money mutation; throws when the key was taken.
 */
export async function claimKey(store: IdempotencyStore, key: string, input: { readonly idempotencyKey: string }, attempt?: string): Promise<{ token: string; fingerprint: string }> {
  const fingerprint = fingerprintOf(input);
  const recovery = encodeRecovery({
    mutation: 'payInvoice',
    input,
    tenantId: 'bench-tenant',
    subject: 'bench-user',
    issuer: 'https://bench.issuer.example/',
    client: { name: 'bench', version: '1.0.0' },
    requestId: 'bench-request',
  });
  const holder: Holder = attempt === undefined ? { recovery } : { attempt, recovery };
  const claim = await store.claim(key, fingerprint, LEASE_MS, TTL_MS, holder);
  if (!claim.claimed) throw new Error('the key was already taken');
  return { token: claim.token, fingerprint };
}

/** After the upstream answered: encode the payload and settle the key as completed. */
export async function settleKey(store: IdempotencyStore, key: string, claim: { token: string; fingerprint: string }, payload: unknown): Promise<void> {
  const written = await store.settle(key, claim.token, { state: 'completed', fingerprint: claim.fingerprint, payload: encodePayload(payload) }, TTL_MS);
  if (!written) throw new Error('settle refused');
}
