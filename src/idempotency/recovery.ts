import { z } from 'zod';
import { decodePayload, encodePayload } from './codec.js';

/**
 * What a reconciler without the holder's request needs of a key (Holder.recovery): the mutation, its
 * input and whose call it was. Encoded by idempotent() into the claim, so any replica can settle a
 * key whose replica died holding it. No token, no header: ids, amounts and the caller's names only.
 */
export interface Recovery {
  readonly mutation: string;
  /** The input as the resolver received it (Decimals and Dates restored by the payload codec). */
  readonly input: { readonly idempotencyKey: string } & Readonly<Record<string, unknown>>;
  readonly tenantId: string;
  readonly subject: string;
  readonly issuer: string;
  readonly client: { readonly name: string | null; readonly version: string | null };
  /** The holder's request id. */
  readonly requestId: string;
}

const RecoveryText = z.object({
  mutation: z.string(),
  input: z.string(),
  tenantId: z.string(),
  subject: z.string(),
  issuer: z.string(),
  client: z.object({ name: z.string().nullable(), version: z.string().nullable() }),
  requestId: z.string(),
});

/** The recovery text of a call; throws when its input holds something the codec cannot store. */
export function encodeRecovery(recovery: Recovery): string {
  return JSON.stringify({ ...recovery, input: encodePayload(recovery.input) });
}

/** The recovery a record carries; null when the text is not one (a foreign or damaged record). */
export function decodeRecovery(text: string): Recovery | null {
  try {
    const parsed = RecoveryText.parse(JSON.parse(text));
    const input = decodePayload(parsed.input);
    if (typeof input !== 'object' || input === null || !('idempotencyKey' in input) || typeof input.idempotencyKey !== 'string') return null;
    return { ...parsed, input: input as Recovery['input'] };
  } catch {
    return null;
  }
}
