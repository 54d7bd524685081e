import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Response header naming the replica (its index in the list the proxy was started with) that answered. */
export const REPLICA_HEADER = 'x-test-replica';

/** Headers of one connection, not of the request: a proxy never forwards them (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * A load balancer of the tests' own: a real HTTP server on a loopback port that sends each request to
 * the next replica in turn (strict round robin per request, whatever the client connection), streams
 * bodies both ways, and says in REPLICA_HEADER which replica answered. No stickiness of any kind: two
 * consecutive requests of one client always reach two different replicas.
 */
export class RoundRobinProxy {
  private next = 0;
  private readonly sockets = new Set<Socket>();
  /** The replica index of every request forwarded, in order. */
  readonly served: number[] = [];

  private constructor(
    private readonly server: Server,
    private readonly replicas: readonly URL[],
    /** The proxy's origin: what clients address instead of a replica. */
    readonly origin: string,
  ) {}

  /** Starts a proxy in front of these replica origins (`http://127.0.0.1:<port>`). */
  static async start(replicaOrigins: readonly string[]): Promise<RoundRobinProxy> {
    if (replicaOrigins.length === 0) throw new Error('a proxy needs at least one replica');
    let proxy: RoundRobinProxy | null = null;
    const server = createServer((req, res) => proxy!.forward(req, res));
    server.on('connection', (socket) => {
      proxy!.sockets.add(socket);
      socket.on('close', () => proxy!.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new RoundRobinProxy(server, replicaOrigins.map((origin) => new URL(origin)), `http://127.0.0.1:${address.port}`);
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const index = this.next;
    this.next = (this.next + 1) % this.replicas.length;
    this.served.push(index);
    const target = this.replicas[index]!;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...withoutHopByHop(req.headers), host: req.headers.host ?? target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...withoutHopByHop(answer.headers), [REPLICA_HEADER]: String(index) });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', [REPLICA_HEADER]: String(index) });
      res.end('replica unreachable');
    });
    req.pipe(upstream);
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}
