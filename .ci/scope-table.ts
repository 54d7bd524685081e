/**
 * Writes the scope table (src/auth/scopeTable.ts) into README.md between its markers:
 * `npm run scopes:table`. With `--check` (part of `npm test`) it writes nothing and fails when the
 * README's table differs from what the schema says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCOPE_TABLE_END, SCOPE_TABLE_START, scopeTable } from '../src/auth/scopeTable.js';
import { buildSchema } from '../src/schema.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const check = process.argv.includes('--check');
const text = readFileSync(README, 'utf8');
const start = text.indexOf(SCOPE_TABLE_START);
const end = text.indexOf(SCOPE_TABLE_END);
if (start < 0 || end < start) {
  process.stderr.write(`README.md has no scope table markers (${SCOPE_TABLE_START} … ${SCOPE_TABLE_END})\n`);
  process.exit(1);
}
const updated = `${text.slice(0, start)}${SCOPE_TABLE_START}\n${scopeTable(buildSchema())}\n${text.slice(end)}`;
if (check) {
  if (updated !== text) {
    process.stderr.write('README.md: the scope table is stale; run `npm run scopes:table`\n');
    process.exit(1);
  }
  process.stdout.write('README.md: the scope table matches the schema\n');
} else if (updated !== text) {
  writeFileSync(README, updated);
  process.stdout.write('README.md: scope table written\n');
} else {
  process.stdout.write('README.md: the scope table was already current\n');
}
