import { vi } from 'vitest';

/** One request that would have left the machine. */
export interface OutboundRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface OutboundFetch {
  readonly requests: readonly OutboundRequest[];
  /** Forgets the requests recorded so far. */
  clear(): void;
  restore(): void;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Replaces the global fetch (what Apollo's reporting plugins send with) so that a request to any
 * host but loopback is recorded and answered 200 `{}` here instead of going out: tests can assert
 * what would have been sent, and nothing reaches the network. Loopback requests pass through.
 */
export function interceptOutboundFetch(): OutboundFetch {
  const original = globalThis.fetch;
  const requests: OutboundRequest[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (LOOPBACK.has(url.hostname)) return original(input, init);
    const request = new Request(input, init);
    requests.push({
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: Buffer.from(await request.arrayBuffer()),
    });
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return {
    requests,
    clear: () => {
      requests.length = 0;
    },
    restore: () => spy.mockRestore(),
  };
}
