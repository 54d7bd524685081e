import type { ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import type { RegisteredQueries } from './registrations.js';
import type { TrustedDocumentStore } from './store.js';

/**
 * Refusal of an operation that is not a trusted document while TRUSTED_DOCUMENTS_MODE=enforce.
 * Named after Apollo Router's safelist code: unlike PERSISTED_QUERY_NOT_FOUND it tells an APQ client
 * not to retry with the full text, since the text is what is refused.
 */
export class OperationNotTrustedError extends GraphQLError {
  constructor() {
    super('Only trusted documents may run on this gateway: this operation is not in its trusted documents.', {
      extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } },
    });
  }
}

/** Apollo Server prefixes every key of the persisted-query cache with this. */
const APQ_PREFIX = 'apq:';

/**
 * The cache behind Apollo Server's persisted-query protocol (a client sends
 * `extensions.persistedQuery.sha256Hash`, with or without the text): the trusted documents, by id,
 * the same for every tenant. Apollo hands a cache nothing but the key, so what a caller's tenant
 * registered by automatic persisted queries is looked up and written by useTrustedDocuments, which
 * sees the request's context; `set` here keeps nothing.
 */
export class TrustedPersistedQueryCache implements KeyValueCache<string> {
  constructor(private readonly store: TrustedDocumentStore) {}

  get(key: string): Promise<string | undefined> {
    return this.store.get(hashOf(key));
  }

  async set(): Promise<void> {}

  async delete(): Promise<boolean> {
    return false;
  }
}

function hashOf(key: string): string {
  return key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key;
}

/**
 * In enforce mode, refuses every operation whose text is not a trusted document — sent by id or
 * in full, the check is the same: the SHA-256 of the text Apollo resolved. It runs in
 * didResolveOperation, after parsing and validation and before execution, so a refused operation
 * reaches no resolver and no upstream.
 *
 * In open mode it keeps automatic persisted queries per tenant (RegisteredQueries), with the tenant
 * of the request's authenticated caller:
 * - A hash without text that is not a trusted id is looked up among the tenant's registrations in
 *   requestDidStart, and the text found is put into the request: Apollo reads `request.query` only
 *   after every requestDidStart. The request then counts as a persisted-query hit, as Apollo's own
 *   look-up would have counted it. Nothing found: Apollo answers PERSISTED_QUERY_NOT_FOUND.
 * - A text with its hash is registered for the tenant once the operation is about to execute
 *   (parsed, valid, admitted by every plugin: what Apollo itself would register), and the answer is
 *   held until the write is done, so a client that got its answer can use the hash on any replica.
 * (An AsyncLocalStorage scope around the request carried the tenant to the cache before; in Node 20
 * any AsyncLocalStorage turns on promise hooks for the whole process, 14–19 % of the CPU of the
 * benchmark's heavy operations.)
 */
export function useTrustedDocuments(
  store: TrustedDocumentStore,
  mode: GatewayConfig['trustedDocuments']['mode'],
  registered: RegisteredQueries,
  ttlSeconds: number,
): ApolloServerPlugin<GatewayContext> {
  if (mode === 'open') {
    return {
      async requestDidStart({ request, contextValue }) {
        const tenantId = contextValue.caller.tenant.id;
        const hash = persistedQueryHash(request.extensions);
        let registeredHit = false;
        if (hash !== undefined && request.query === undefined && (await store.get(hash)) === undefined) {
          const document = await registered.get(tenantId, hash);
          if (document !== undefined) {
            request.query = document;
            registeredHit = true;
          }
        }
        let write: Promise<void> | undefined;
        return {
          async didResolveSource({ metrics }) {
            if (!registeredHit) return;
            metrics.persistedQueryHit = true;
            metrics.persistedQueryRegister = false;
          },
          async executionDidStart({ metrics, queryHash, source }) {
            // Failures are logged by the cache (ErrorsAreMissesCache): the client's next hash-only request misses and resends the text.
            if (metrics.persistedQueryRegister) write = registered.set(tenantId, queryHash, source, { ttl: ttlSeconds }).catch(() => undefined);
          },
          async willSendResponse() {
            if (write) await write;
          },
        };
      },
    };
  }
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash }) {
          if ((await store.get(queryHash)) === undefined) throw new OperationNotTrustedError();
        },
      };
    },
  };
}

function persistedQueryHash(extensions: Record<string, unknown> | undefined): string | undefined {
  const persistedQuery = extensions?.['persistedQuery'];
  if (typeof persistedQuery !== 'object' || persistedQuery === null) return undefined;
  const hash = (persistedQuery as { sha256Hash?: unknown }).sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}
