import { cpuUsage } from 'node:process';
import { execute, Kind, parse, print, visit, type DocumentNode, type SelectionSetNode } from 'graphql';
import { loadTypeDefs } from '../src/schema.js';
import { subgraphSchemaOf } from '../src/subgraph/printSchemas.js';
import { startStack } from '../test/helpers/stack.js';
import { BENCH_OPERATIONS, BENCH_SEED } from './operations.js';

function withTypenames(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet: (node: SelectionSetNode) => ({
      ...node,
      selections: [...node.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
    }),
  });
}

const schema = subgraphSchemaOf(loadTypeDefs());
const stack = await startStack({ ...BENCH_SEED });
const answers = new Map<string, unknown>();
try {
  for (const operation of BENCH_OPERATIONS) {
    const answer = await stack.gql(print(withTypenames(parse(operation.query))), { ...operation.variables });
    if (answer.errors?.length) throw new Error(`${operation.name}: ${answer.errors[0]!.message}`);
    answers.set(operation.name, answer.data);
  }
} finally {
  await stack.close();
}

for (const operation of BENCH_OPERATIONS) {
  const document = parse(operation.query);
  const rootValue = answers.get(operation.name);
  const run = (): string => {
    const result = execute({ schema, document, rootValue, variableValues: { ...operation.variables }, typeResolver: (value) => (value as { __typename: string }).__typename });
    if ('then' in result) throw new Error('async');
    if (result.errors) throw result.errors[0];
    return JSON.stringify(result);
  };
  for (let i = 0; i < 2000; i += 1) run();
  const started = cpuUsage();
  let count = 0;
  const until = Date.now() + 2000;
  while (Date.now() < until) { run(); count += 1; }
  const used = cpuUsage(started);
  console.log(`${operation.name}: ${((used.user + used.system) / 1000 / count).toFixed(3)} CPU ms/op (graphql-js execute + JSON.stringify over ready data)`);
}
const { execute: toolsExecute } = await import('@graphql-tools/executor');
for (const operation of BENCH_OPERATIONS) {
  const document = parse(operation.query);
  const rootValue = answers.get(operation.name);
  const run = (): string => {
    const result = toolsExecute({ schema, document, rootValue, variableValues: { ...operation.variables }, typeResolver: (value: unknown) => (value as { __typename: string }).__typename } as never) as { errors?: unknown[] };
    if ('then' in result) throw new Error('async');
    if (result.errors) throw result.errors[0];
    return JSON.stringify(result);
  };
  for (let i = 0; i < 2000; i += 1) run();
  const started = cpuUsage();
  let count = 0;
  const until = Date.now() + 2000;
  while (Date.now() < until) { run(); count += 1; }
  const used = cpuUsage(started);
  console.log(`tools ${operation.name}: ${((used.user + used.system) / 1000 / count).toFixed(3)} CPU ms/op`);
}
