import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Client connection timeouts, configured small so the test is quick: every phase of a connection
 * ends, and a client trickling a body in a byte at a time is cut off by the whole-request timeout
 * although it never falls idle. Bounds on time are generous; what is asserted is that the server
 * closed the sockets and holds none of them afterwards.
 */
const TIMEOUTS = {
  REQUEST_TIMEOUT_MS: '1500',
  UPSTREAM_TIMEOUT_MS: '1000',
  CLIENT_HEADERS_TIMEOUT_MS: '400',
  CLIENT_REQUEST_TIMEOUT_MS: '800',
  CLIENT_IDLE_TIMEOUT_MS: '5000',
  CLIENT_KEEP_ALIVE_TIMEOUT_MS: '300',
};

interface Trickle {
  readonly socket: Socket;
  /** Resolves when the socket closed, with what the server sent and whether the client ended it. */
  readonly closed: Promise<{ response: string; byClient: boolean }>;
  stop(): void;
}

/** Opens a socket that writes `head` then one byte of `rest` every `everyMs`, until it is closed. */
function trickle(stack: TestStack, head: string, rest: string, everyMs: number): Trickle {
  const url = new URL(stack.url);
  const socket = connect(Number(url.port), url.hostname);
  let response = '';
  let byClient = false;
  let sent = 0;
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(head));
  const timer = setInterval(() => {
    if (sent < rest.length && !socket.destroyed) socket.write(rest[sent++]!);
  }, everyMs);
  const closed = new Promise<{ response: string; byClient: boolean }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ response, byClient });
    }),
  );
  return {
    socket,
    closed,
    stop() {
      byClient = true;
      clearInterval(timer);
      socket.destroy();
    },
  };
}

function openConnections(stack: TestStack): Promise<number> {
  return new Promise((resolve, reject) => stack.gateway.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** Waits for every socket to close, or gives up after `boundMs` (then the client closes what is left). */
async function allClosed(trickles: readonly Trickle[], boundMs: number) {
  const bound = setTimeout(() => trickles.forEach((each) => each.stop()), boundMs);
  const results = await Promise.all(trickles.map((each) => each.closed));
  clearTimeout(bound);
  return results;
}

describe('Security: client connection timeouts', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: TIMEOUTS });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('cuts off 20 clients trickling a body a byte every 100 ms at the request timeout, holding no socket afterwards', async () => {
    const body = JSON.stringify({ query: '{ __typename }' }).padEnd(400, ' ');
    const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nAuthorization: ${stack.auth['authorization']}\r\n\r\n`;
    const started = performance.now();
    // 400 bytes at 10 per second would take 40 s to send; the socket never idles for 5 s.
    const clients = Array.from({ length: 20 }, () => trickle(stack, head, body, 100));
    const results = await allClosed(clients, 20_000);
    const elapsed = performance.now() - started;
    expect(results.filter((result) => result.byClient)).toHaveLength(0);
    // Node answers 408 before closing the socket.
    expect(results.every((result) => result.response.startsWith('HTTP/1.1 408'))).toBe(true);
    expect(elapsed).toBeLessThan(15_000);
    expect(await openConnections(stack)).toBe(0);
  });

  it('cuts off a client trickling its request head at the headers timeout', async () => {
    const head = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(200);
    const clients = Array.from({ length: 5 }, () => trickle(stack, 'G', head.slice(1), 50));
    const results = await allClosed(clients, 20_000);
    expect(results.filter((result) => result.byClient)).toHaveLength(0);
    expect(await openConnections(stack)).toBe(0);
  });

  it('closes an idle keep-alive connection after its timeout', async () => {
    const request = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n';
    const client = trickle(stack, request, '', 1_000);
    const [result] = await allClosed([client], 20_000);
    expect(result!.byClient).toBe(false);
    expect(result!.response).toMatch(/^HTTP\/1\.1 200/);
    expect(await openConnections(stack)).toBe(0);
  });
});
