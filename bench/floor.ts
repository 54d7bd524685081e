import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { upstreamReplay, type FloorSpec } from './floorCalls.js';

/**
 * The floor (issue 16): the least a Node process can do for each benchmark operation, run by
 * bench/run.ts beside the gateway in the same run and measured the same way.
 *
 * Per request it reads and parses the GraphQL request, makes exactly the operation's upstream calls
 * (the concrete calls the gateway made for it, as the simulators logged them, with the same
 * credentials) in the plan's waves, each wave in parallel over one undici keep-alive pool per
 * upstream, reads and `JSON.parse`s every body, and writes an answer of exactly the gateway's bytes
 * (one `JSON.stringify` of the gateway's answer, built once at start-up, per request). It does no
 * authentication, validation, mapping or normalisation: everything the gateway spends above this is
 * the gateway's own work.
 *
 * Its only dependencies are node:http and undici (through ./floorCalls.ts), so bench/run.ts
 * transpiles the two files alone (typescript's transpileModule) and runs them with plain node: no
 * tsx, no src/ in its memory.
 *
 * Environment: FLOOR_SPEC (a JSON file of FloorSpec), PORT, HOST, FLOOR_CONNECTIONS (sockets per upstream).
 */

function main(): void {
  const spec = JSON.parse(readFileSync(process.env['FLOOR_SPEC']!, 'utf8')) as FloorSpec;
  const connections = Number(process.env['FLOOR_CONNECTIONS'] ?? '32');
  const upstreams = upstreamReplay(connections);
  const byQuery = new Map(spec.operations.map((operation) => [operation.query, operation]));

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: string };
    const operation = byQuery.get(body.query ?? '');
    if (!operation) {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"message":"unknown operation"}]}');
      return;
    }
    await upstreams.run(operation);
    const text = JSON.stringify(operation.response);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env['PORT']), process.env['HOST'] ?? '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void upstreams.close().then(() => process.exit(0));
  });
}

main();
