/** Money moves once: idempotency keys for the mutations that move money or credit (README, "Money moves once"). */
import type { GatewayConfig } from '../config.js';
import { MemoryIdempotencyStore } from './memoryStore.js';
import { RedisIdempotencyStore } from './redisStore.js';
import type { IdempotencyStore } from './store.js';

export {
  idempotent,
  idempotencyMarker,
  idempotencyStoreKey,
  IdempotencyStoreUnavailableError,
  reconcileOrphans,
  type OrphanRestorer,
  type IdempotencyOutcome,
  type IdempotencyReport,
  type IdempotentMutation,
  type ReconciliationEvidence,
  type SettledAttempt,
} from './idempotent.js';
export { BackgroundReconciler, type IdempotencySettlement, type SettlementListener } from './reconciler.js';
export { decodePayload, encodePayload, fingerprintOf } from './codec.js';
export { decodeRecovery, encodeRecovery, type Recovery } from './recovery.js';
export { MemoryIdempotencyStore } from './memoryStore.js';
export { RedisIdempotencyStore, REDIS_KEY_PREFIX } from './redisStore.js';
export {
  IdempotencyStoreFullError,
  parseRecord as parseIdempotencyRecord,
  type ClaimResult,
  type FinalRecord,
  type Holder,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './store.js';

/** The store named by the configuration: Redis when REDIS_URL is set (shared by replicas), else this process's memory. */
export async function createIdempotencyStore(config: GatewayConfig): Promise<IdempotencyStore> {
  return config.idempotency.redisUrl === null
    ? new MemoryIdempotencyStore(config.idempotency.memoryMaxKeys)
    : RedisIdempotencyStore.connect(config.idempotency.redisUrl);
}
