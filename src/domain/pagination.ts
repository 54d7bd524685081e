/**
 * Relay connections over upstreams that page by page number, by skip/fetch, or not at all.
 * Cursors are opaque offsets into the list the connection describes.
 */

export const DEFAULT_PAGE_SIZE = 20;
/**
 * The largest `first` any configuration allows (MAX_PAGE_SIZE is at most this). The configured cap
 * is enforced before execution (src/security/limits.ts), so a resolver only ever sees this bound
 * broken by a caller that bypasses the server, e.g. a direct call in a test.
 */
export const PAGE_SIZE_CEILING = 1000;

export interface ConnectionArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

/** The window a connection field asks for: `limit` items starting at `offset`. */
export interface PageWindow {
  readonly offset: number;
  readonly limit: number;
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface Connection<T> {
  readonly edges: readonly Edge<T>[];
  readonly nodes: readonly T[];
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
  };
  readonly totalCount: number | null;
}

export class InvalidPageArgumentError extends Error {}

export function offsetToCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

export function cursorToOffset(cursor: string): number {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidPageArgumentError(`"after" is not a cursor of this connection: ${cursor}`);
  return Number(match[1]);
}

/** Validates `first`/`after` and turns them into a window; `first` out of range is an error, not a silent trim. */
export function pageWindow(args: ConnectionArgs, defaultSize = DEFAULT_PAGE_SIZE): PageWindow {
  const limit = args.first ?? defaultSize;
  if (!Number.isInteger(limit) || limit < 0 || limit > PAGE_SIZE_CEILING) {
    throw new InvalidPageArgumentError(`"first" must be between 0 and ${PAGE_SIZE_CEILING}, got ${limit}`);
  }
  const offset = args.after ? cursorToOffset(args.after) + 1 : 0;
  return { offset, limit };
}

/**
 * Builds a connection from the items of `window` (already sliced). `totalCount` is null when the
 * upstream does not know it; `hasNextPage` then comes from whether the upstream returned a full page.
 */
export function connectionFromWindow<T>(
  items: readonly T[],
  window: PageWindow,
  totalCount: number | null,
  hasMore?: boolean,
): Connection<T> {
  const page = items.slice(0, window.limit);
  const edges = page.map((node, index) => ({ cursor: offsetToCursor(window.offset + index), node }));
  const hasNextPage = hasMore ?? (totalCount === null ? items.length > window.limit : window.offset + page.length < totalCount);
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: window.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** Slices a list the gateway holds in full (upstreams without paging, merged lists). */
export function connectionFromList<T>(all: readonly T[], window: PageWindow): Connection<T> {
  return connectionFromWindow(all.slice(window.offset, window.offset + window.limit), window, all.length);
}

/**
 * Maps a window onto an upstream that pages by `pageNo`/`limit`: the smallest page size at least
 * `window.limit` whose single page covers the whole window, and where the window starts in it.
 */
export function pageNumberRequest(window: PageWindow): { pageNo: number; limit: number; skipInPage: number } {
  const wanted = Math.max(window.limit, 1);
  let size = wanted;
  while (Math.floor(window.offset / size) !== Math.floor((window.offset + wanted - 1) / size)) size += 1;
  const pageIndex = Math.floor(window.offset / size);
  return { pageNo: pageIndex + 1, limit: size, skipInPage: window.offset - pageIndex * size };
}
