import { cpuUsage } from 'node:process';
import { execute, Kind, parse, print, visit, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { loadTypeDefs } from '../src/schema.js';
import { subgraphSchemaOf } from '../src/subgraph/printSchemas.js';
import type { BenchOperation } from './operations.js';

/**
 * graphql-js's own least cost for an operation (issue 16): `execute` of the operation's document over
 * the gateway's own answer — every object already in place, every field a property the default
 * resolver reads, each abstract type told by `__typename`, every scalar passed through — and the
 * `JSON.stringify` of the result. Whatever its resolvers do, a gateway executing with graphql-js
 * spends at least this on top of the floor process (bench/floor.ts), so `(floor + this) ÷ floor` is
 * the least CPU ratio any graphql-js gateway can reach for the operation.
 *
 * Measured in the runner's process, warm, one operation at a time: less garbage-collector pressure
 * than eight concurrent requests in a gateway, so a lower bound.
 */

/** The schema's types without resolvers or scalar conversions (the gateway's SDL, as its subgraph schema). */
export function engineSchema(): GraphQLSchema {
  return subgraphSchemaOf(loadTypeDefs());
}

/** The operation with `__typename` in every selection set: its answer names the type of every object. */
export function withTypenames(query: string): string {
  return print(
    visit(parse(query), {
      SelectionSet: (node) => ({ ...node, selections: [...node.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }] }),
    }),
  );
}

/**
 * CPU ms per execution of `operation` over `answer` (the `data` of the gateway's answer to
 * withTypenames(operation.query)): after a warm-up, as many executions as fit in `budgetMs`.
 */
export function engineCpuMsPerOp(schema: GraphQLSchema, operation: BenchOperation, answer: unknown, budgetMs = 2000): number {
  const document = parse(operation.query);
  const variableValues = { ...operation.variables };
  const typeResolver = (value: unknown) => (value as { __typename: string }).__typename;
  const run = (): number => {
    const result = execute({ schema, document, rootValue: answer, variableValues, typeResolver });
    if (result instanceof Promise) throw new Error(`${operation.name}: execution over a ready answer returned a promise`);
    const { errors } = result as ExecutionResult;
    if (errors?.length) throw new Error(`${operation.name}: ${errors[0]!.message}`);
    return JSON.stringify(result).length;
  };
  const expected = JSON.stringify(execute({ schema, document, rootValue: answer, variableValues, typeResolver })).length;
  for (let warm = Date.now() + budgetMs / 4; Date.now() < warm; ) run();
  const started = cpuUsage();
  const until = Date.now() + budgetMs;
  let executions = 0;
  let bytes = 0;
  while (Date.now() < until) {
    bytes += run();
    executions += 1;
  }
  const used = cpuUsage(started);
  if (bytes !== expected * executions) throw new Error(`${operation.name}: executions answered different bytes`);
  return (used.user + used.system) / 1000 / executions;
}
