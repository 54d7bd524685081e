import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { buildSubgraphSchema } from '@apollo/subgraph';
import Fastify from 'fastify';
import { parse, type DocumentNode } from 'graphql';
import { upstreamReplay, type FloorOperation, type FloorSpec } from './floorCalls.js';

/**
 * The framework floor (issue 16): the floor (bench/floor.ts) answering through the parts every
 * gateway of this project must have, and nothing of the gateway's own. Per request, Fastify reads
 * the request and @as-integrations/fastify hands it to Apollo Server, whose context function makes
 * exactly the operation's upstream calls in the plan's waves (as the floor does: every body read
 * and `JSON.parse`d); Apollo then parses (cached), validates and executes the operation with
 * graphql-js over the gateway's own answer — every object in place, every field a property the
 * default resolver reads, each abstract type told by `__typename`, every scalar passed through —
 * on the gateway's schema built as a Federation 2 subgraph, and writes the result with one compact
 * `JSON.stringify`, as the gateway does. Apollo is set up as the gateway's is where a setting costs
 * CPU for nothing (the cache-control plugin off, no landing page); nothing else is added: no
 * authentication, limits, logging, metrics, mapping or normalisation.
 *
 * So `framework floor ÷ floor` is the least CPU ratio a gateway on Fastify, Apollo Server and
 * graphql-js can reach for an operation, whatever its resolvers do, and its p50 at one client and
 * peak RSS are the least such a gateway shows. bench/run.ts checks that its answer is the gateway's
 * and that it makes the gateway's calls, then measures it as it measures the gateway, with the
 * gateway's node flags.
 *
 * Environment: FLOOR_SPEC (a JSON file of FloorSpec with `typeDefs` and every operation's
 * `typenamedData`), PORT, HOST, FLOOR_CONNECTIONS (sockets per upstream).
 */

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.env['FLOOR_SPEC']!, 'utf8')) as FloorSpec;
  if (spec.typeDefs === undefined) throw new Error('FLOOR_SPEC has no typeDefs');
  const upstreams = upstreamReplay(Number(process.env['FLOOR_CONNECTIONS'] ?? '32'));
  const byQuery = new Map(spec.operations.map((operation) => [operation.query, operation]));
  const operationOf = (query: string | undefined): FloorOperation => {
    const operation = byQuery.get(query ?? '');
    if (!operation?.typenamedData) throw new Error('unknown operation');
    return operation;
  };

  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(spec.typeDefs) }),
    // Apollo keeps the parsed document per query text, so its source is the request's query.
    rootValue: (document: DocumentNode) => operationOf(document.loc?.source.body).typenamedData,
    stringifyResult: (result) => JSON.stringify(result),
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: fastifyApolloHandler(apollo, {
      context: async (request) => {
        await upstreams.run(operationOf((request.body as { query?: string } | undefined)?.query));
        return {};
      },
    }),
  });
  await app.listen({ port: Number(process.env['PORT']), host: process.env['HOST'] ?? '127.0.0.1' });
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => apollo.stop())
      .then(() => upstreams.close())
      .then(() => process.exit(0));
  });
}

await main();
