import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the proxy does to one request:
 * - `resetBeforeSend`: resets the connection as soon as the request arrives; the upstream never sees it;
 * - `resetAfterApply`: forwards the request, lets the upstream answer (and so apply the write), then resets;
 * - `timeoutAfterApply`: forwards it, lets the upstream answer, then never answers the gateway;
 * - `halfBodyAfterApply`: forwards it, then answers the upstream's status and headers with half its body and closes;
 * - `{ status }`: forwards it, then answers this status instead of the upstream's (a proxy's 5xx or 409).
 */
export type ProxyFault = 'resetBeforeSend' | 'resetAfterApply' | 'timeoutAfterApply' | 'halfBodyAfterApply' | { readonly status: number };

interface Armed {
  readonly method: string;
  readonly pathSuffix: string;
  readonly fault: ProxyFault;
}

/**
 * A real HTTP proxy on its own loopback port, between the gateway and one simulator: requests cross two
 * TCP connections, and a fault armed for the next matching request acts on the gateway's connection after
 * (or instead of) forwarding it. Each armed fault fires once.
 */
export class FaultProxy {
  private readonly armed: Armed[] = [];
  private readonly sockets = new Set<Socket>();
  /** Faults that fired, in order (tests assert the fault really happened). */
  readonly fired: ProxyFault[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    /** The target's base URL with the proxy's origin: what the gateway's *_BASE_URL becomes. */
    readonly baseUrl: string,
  ) {}

  /** Starts a proxy in front of `targetBaseUrl` (origin and path prefix kept). */
  static async start(targetBaseUrl: string): Promise<FaultProxy> {
    const target = new URL(targetBaseUrl);
    let proxy: FaultProxy | null = null;
    const server = createServer((req, res) => void proxy!.handle(req, res));
    server.on('connection', (socket) => {
      proxy!.sockets.add(socket);
      socket.on('close', () => proxy!.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new FaultProxy(server, target, `http://127.0.0.1:${address.port}${target.pathname.replace(/\/+$/, '')}`);
    return proxy;
  }

  /** Applies `fault` to the next request with this method whose path (without query) ends with `pathSuffix`, or has it followed by one more segment. */
  arm(method: string, pathSuffix: string, fault: ProxyFault): void {
    this.armed.push({ method, pathSuffix, fault });
  }

  disarm(): void {
    this.armed.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(req: IncomingMessage): ProxyFault | null {
    const path = (req.url ?? '').split('?')[0]!;
    const index = this.armed.findIndex((armed) => armed.method === req.method && pathMatches(path, armed.pathSuffix));
    if (index < 0) return null;
    const [armed] = this.armed.splice(index, 1);
    this.fired.push(armed!.fault);
    return armed!.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = this.take(req);
    if (fault === 'resetBeforeSend') {
      req.socket.resetAndDestroy();
      return;
    }
    let answer: { status: number; headers: IncomingHttpHeaders; body: Buffer };
    try {
      answer = await this.forward(req);
    } catch {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === null) {
      res.writeHead(answer.status, { ...withoutHopByHop(answer.headers), 'content-length': String(answer.body.length) });
      res.end(answer.body);
    } else if (fault === 'resetAfterApply') {
      req.socket.resetAndDestroy();
    } else if (fault === 'timeoutAfterApply') {
      // Holds the connection open without a byte; the gateway's own timeout ends it (closed with the proxy).
    } else if (fault === 'halfBodyAfterApply') {
      res.writeHead(answer.status, { ...withoutHopByHop(answer.headers), 'content-length': String(answer.body.length) });
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      setImmediate(() => req.socket.destroy());
    } else {
      const body = JSON.stringify({ message: `proxy answered ${fault.status}` });
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    }
  }

  /** Sends the request to the target over a new connection and reads the whole answer. */
  private forward(req: IncomingMessage): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: { ...withoutHopByHop(req.headers), host: this.target.host } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      req.pipe(upstream);
    });
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _encoding, 'content-length': _length, ...rest } = headers;
  return rest;
}

/** `/a/b` matches `…/a/b` and `…/a/b/{id}`, not `…/a/b-c`. */
export function pathMatches(path: string, suffix: string): boolean {
  return path.endsWith(suffix) || /^\/[^/]+$/.test(path.slice(path.lastIndexOf(suffix) + suffix.length)) && path.includes(`${suffix}/`);
}
