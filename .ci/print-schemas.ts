/**
 * Prints the schema's two committed SDL files from schema/*.graphql (`npm run codegen` writes them,
 * `npm run codegen:check` fails when either is stale):
 * - src/__generated__/schema.graphql — the schema clients see (typed clients, the breaking-change check);
 * - src/__generated__/subgraph.graphql — `_service.sdl`, what a router's composition reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs } from '../src/schema.js';
import { printClientSchema, printServiceSdl } from '../src/subgraph/printSchemas.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEADER = '# Generated from schema/*.graphql by .ci/print-schemas.ts. Do not edit: run `npm run codegen`.\n';

const typeDefs = loadTypeDefs();
const files: Record<string, string> = {
  'src/__generated__/schema.graphql': HEADER + printClientSchema(typeDefs) + '\n',
  'src/__generated__/subgraph.graphql': HEADER + printServiceSdl(typeDefs) + '\n',
};

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const [path, content] of Object.entries(files)) {
  let current: string | null = null;
  try {
    current = readFileSync(ROOT + path, 'utf8');
  } catch {
    current = null;
  }
  if (current === content) continue;
  if (check) stale.push(path);
  else writeFileSync(ROOT + path, content);
}
if (stale.length > 0) {
  console.error(`print-schemas: stale, run \`npm run codegen\`: ${stale.join(', ')}`);
  process.exit(1);
}
