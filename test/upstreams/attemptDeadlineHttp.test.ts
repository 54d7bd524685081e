import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UpstreamTimeoutError } from '../../src/errors.js';
import { AttemptDeadline } from '../../src/upstreams/attemptDeadline.js';
import { UpstreamHttpClient } from '../../src/upstreams/http.js';

/**
 * The upstream client over real HTTP: every attempt's deadline is cleared when the attempt ends
 * (a JSON answer once read, a download once its body closes), and still cuts off an attempt that
 * outlives it.
 */
let server: Server;
let client: UpstreamHttpClient;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/json') {
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    } else if (request.url === '/file') {
      response.setHeader('content-type', 'application/octet-stream');
      response.end(Buffer.alloc(64 * 1024, 1));
    } else if (request.url === '/stalled-file') {
      // Headers and a first chunk at once, the rest never.
      response.setHeader('content-type', 'application/octet-stream');
      response.write(Buffer.alloc(1024, 1));
    } else {
      // Headers at once, the body only after the attempt's limit.
      response.setHeader('content-type', 'application/json');
      response.write('{"ok":');
      setTimeout(() => response.end('true}'), 400).unref();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new UpstreamHttpClient({ system: 'IQM', baseUrl: `http://127.0.0.1:${port}`, connections: 2, connectTimeoutMs: 1000, requestTimeoutMs: 150 });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('UpstreamHttpClient attempt deadlines', () => {
  it('clears the deadline of a JSON call once its answer is read', async () => {
    const clear = vi.spyOn(AttemptDeadline.prototype, 'clear');
    const response = await client.json({ method: 'GET', route: '/json', path: '/json' });
    expect(response).toEqual({ status: 200, body: { ok: true } });
    expect(clear).toHaveBeenCalledTimes(1);
  });

  it('still cuts off a body that arrives after the limit, as UPSTREAM_TIMEOUT', async () => {
    await expect(client.json({ method: 'GET', route: '/slow', path: '/slow' })).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it('keeps a download under its deadline until the body closes, then clears it', async () => {
    const clear = vi.spyOn(AttemptDeadline.prototype, 'clear');
    const download = await client.stream({ method: 'GET', route: '/file', path: '/file' });
    expect(clear).not.toHaveBeenCalled();
    let bytes = 0;
    for await (const chunk of download.body) bytes += (chunk as Buffer).length;
    await new Promise((resolve) => setImmediate(resolve));
    expect(bytes).toBe(64 * 1024);
    expect(clear).toHaveBeenCalledTimes(1);
  });

  it('cuts off a download whose body stalls past the deadline', async () => {
    const download = await client.stream({ method: 'GET', route: '/stalled-file', path: '/stalled-file' });
    const read = (async () => {
      for await (const chunk of download.body) void chunk;
    })();
    await expect(read).rejects.toThrow(/timeout/i);
  });
});
