import type { ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { readManifests } from './manifest.js';
import type { RegisteredQueries } from './registrations.js';
import { TrustedDocumentStore } from './store.js';
import { TrustedPersistedQueryCache, useTrustedDocuments } from './useTrustedDocuments.js';

export { documentHash, documentIdHash, readManifests, TrustedDocumentsError } from './manifest.js';
export { APQ_REDIS_NAMESPACE, RegisteredQueries } from './registrations.js';
export { TrustedDocumentStore } from './store.js';
export { OperationNotTrustedError } from './useTrustedDocuments.js';

/** Trusted documents (an operation safelist) as Apollo Server takes them: a persisted-query cache and a plugin. */
export interface TrustedDocuments {
  readonly store: TrustedDocumentStore;
  /** For ApolloServer's `persistedQueries.cache`. */
  readonly persistedQueryCache: KeyValueCache<string>;
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  close(): Promise<void>;
}

/**
 * Reads the manifest files (throws TrustedDocumentsError naming every bad entry) and connects the
 * Redis hash when REDIS_URL is set. `registered` keeps what clients register by automatic persisted
 * queries (per tenant; shared by replicas when in Redis).
 */
export function createTrustedDocuments(
  config: Pick<GatewayConfig, 'trustedDocuments' | 'idempotency' | 'apqTtlSeconds'>,
  logger: Logger,
  registered: RegisteredQueries,
): TrustedDocuments {
  const { mode, files, redisKey } = config.trustedDocuments;
  const redisUrl = config.idempotency.redisUrl;
  const store = TrustedDocumentStore.create(readManifests(files), redisUrl && redisKey ? { url: redisUrl, key: redisKey } : null, logger);
  return {
    store,
    persistedQueryCache: new TrustedPersistedQueryCache(store),
    plugin: useTrustedDocuments(store, mode, registered, config.apqTtlSeconds),
    close: () => store.close(),
  };
}
