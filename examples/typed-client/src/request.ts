import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';

/** A GraphQL error as the gateway sends it: `extensions.code` says what kind (see the gateway README). */
export interface GraphQLErrorPayload {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: string; readonly [key: string]: unknown };
}

/** The request produced no data: an HTTP failure, or an error that stopped the whole operation. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: readonly GraphQLErrorPayload[],
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

/**
 * The gateway did not answer at all (nothing listens at the URL, DNS, TLS): one line saying where
 * it tried and why, instead of fetch's bare "fetch failed".
 */
export class GatewayUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the gateway at ${url} (${reason})`);
    this.name = 'GatewayUnreachableError';
  }
}

/**
 * The typed answer. The gateway answers with partial data when one upstream fails (its fields are
 * null and `errors` says why), so both are returned: render `data`, report `errors`.
 */
export interface TypedResult<TResult> {
  readonly data: TResult;
  readonly errors: readonly GraphQLErrorPayload[];
}

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  readonly url: string;
  /** Sent with every request, e.g. { authorization: 'Bearer …' }. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Automatic persisted queries: send the query's SHA-256 first and the full text only when the
   * gateway does not know it yet (PERSISTED_QUERY_NOT_FOUND). Saves upload bytes for large queries.
   */
  readonly persistedQueries?: boolean;
  /**
   * Trusted documents: send each operation's id (the SHA-256 codegen wrote into the document and
   * into persisted-documents.json) instead of its text. A gateway that knows the manifest runs it
   * by id, also when it refuses every other operation (TRUSTED_DOCUMENTS_MODE=enforce); one that
   * does not answers PERSISTED_QUERY_NOT_FOUND, and the text is sent once, as an ordinary request.
   */
  readonly trustedDocuments?: boolean;
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** Operations without required variables may be called without a variables argument. */
type VariablesArgument<TVariables> = Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export interface GraphQLClient {
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): Promise<TypedResult<TResult>>;
}

interface ResponseBody<TResult> {
  readonly data?: TResult | null;
  readonly errors?: readonly GraphQLErrorPayload[];
}

/** A minimal typed client: one JSON POST per operation, results typed by the generated documents. */
export function createClient(options: ClientOptions): GraphQLClient {
  const send = options.fetch ?? fetch;
  const printed = new WeakMap<object, { readonly query: string; readonly operationName: string | undefined }>();
  const hashes = new Map<string, Promise<string>>();

  function source(document: DocumentNode) {
    let entry = printed.get(document);
    if (!entry) {
      const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
      entry = { query: print(document), operationName: operation?.name?.value };
      printed.set(document, entry);
    }
    return entry;
  }

  function sha256(query: string): Promise<string> {
    let hash = hashes.get(query);
    if (!hash) {
      hash = crypto.subtle
        .digest('SHA-256', new TextEncoder().encode(query))
        .then((digest) => [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join(''));
      hashes.set(query, hash);
    }
    return hash;
  }

  async function post<TResult>(body: Record<string, unknown>): Promise<{ status: number; body: ResponseBody<TResult> }> {
    let response: Response;
    try {
      response = await send(options.url, {
        method: 'POST',
        // application/json also satisfies the gateway's CSRF prevention.
        headers: { ...options.headers, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new GatewayUnreachableError(options.url, unreachableReason(error));
    }
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as ResponseBody<TResult> };
    } catch {
      throw new GraphQLRequestError(`HTTP ${response.status}: ${text.slice(0, 200)}`, response.status, []);
    }
  }

  return {
    async request<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, ...[variables]: VariablesArgument<TVariables>) {
      const { query, operationName } = source(document);
      let answer: { status: number; body: ResponseBody<TResult> };
      const id = options.trustedDocuments ? documentId(document) : null;
      if (id !== null) {
        answer = await post<TResult>({ operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
        if (notFound(answer.body)) answer = await post<TResult>({ query, operationName, variables });
      } else if (options.persistedQueries) {
        const persistedQuery = { version: 1, sha256Hash: await sha256(query) };
        answer = await post<TResult>({ operationName, variables, extensions: { persistedQuery } });
        if (notFound(answer.body)) {
          answer = await post<TResult>({ query, operationName, variables, extensions: { persistedQuery } });
        }
      } else {
        answer = await post<TResult>({ query, operationName, variables });
      }
      const errors = answer.body.errors ?? [];
      if (answer.body.data === undefined || answer.body.data === null) {
        throw new GraphQLRequestError(errors[0]?.message ?? `HTTP ${answer.status} without data`, answer.status, errors);
      }
      return { data: answer.body.data, errors };
    },
  };
}

function notFound(body: ResponseBody<unknown>): boolean {
  return body.errors?.some((error) => error.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND') ?? false;
}

/** The hex SHA-256 codegen's persistedDocuments put in `__meta__.hash` (as `sha256:<hex>`); null without one. */
export function documentId(document: DocumentNode): string | null {
  const meta: unknown = '__meta__' in document ? document.__meta__ : undefined;
  const hash = typeof meta === 'object' && meta !== null && 'hash' in meta ? meta.hash : undefined;
  return typeof hash === 'string' ? (/^(?:sha256:)?([0-9a-f]{64})$/.exec(hash)?.[1] ?? null) : null;
}

/** The socket-level cause of a failed fetch (`ECONNREFUSED`, `ENOTFOUND`, …), else its message. */
function unreachableReason(error: unknown): string {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
