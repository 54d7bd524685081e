import type { ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { RegisteredQueries } from './registrations.js';
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
 * `extensions.persistedQuery.sha256Hash`, with or without the text): trusted documents answer by
 * their id first (the same for every tenant), then what the caller's tenant registered (automatic
 * persisted queries, see RegisteredQueries: in memory, or Redis shared by replicas). In enforce mode
 * nothing is registered, so only trusted ids ever resolve.
 */
export class TrustedPersistedQueryCache implements KeyValueCache<string> {
  constructor(
    private readonly store: TrustedDocumentStore,
    private readonly mode: GatewayConfig['trustedDocuments']['mode'],
    private readonly registered: RegisteredQueries,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const id = hashOf(key);
    return (await this.store.get(id)) ?? (this.mode === 'open' ? this.registered.get(id) : undefined);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (this.mode === 'open') await this.registered.set(hashOf(key), value, options);
  }

  async delete(key: string): Promise<boolean | void> {
    return this.registered.delete(hashOf(key));
  }
}

function hashOf(key: string): string {
  return key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key;
}

/**
 * In enforce mode, refuses every operation whose text is not a trusted document — sent by id or
 * in full, the check is the same: the SHA-256 of the text Apollo resolved. It runs in
 * didResolveOperation, after parsing and validation and before execution, so a refused operation
 * reaches no resolver and no upstream. In open mode it holds the answer to a request that
 * registered a persisted query until the registration is written (Apollo does not wait for it), so
 * a client that got its answer can use the hash on any replica next.
 */
export function useTrustedDocuments(store: TrustedDocumentStore, mode: GatewayConfig['trustedDocuments']['mode']): ApolloServerPlugin<GatewayContext> {
  if (mode === 'open') {
    return {
      async requestDidStart() {
        return {
          async willSendResponse({ metrics }) {
            if (metrics.persistedQueryRegister) await RegisteredQueries.settled();
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
