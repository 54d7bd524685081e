import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Composes the example supergraph from supergraph.config.yaml (rover's format) with the installed
 * `@apollo/composition` and writes supergraph.graphql beside it. `npm run supergraph:compose` writes
 * it (`npm run codegen` too, after printing the finance subgraph's SDL); `--check` (part of
 * `npm run codegen:check`, so of `npm test`) fails when the committed file is stale or composition fails.
 */

export const SUPERGRAPH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const SUPERGRAPH_FILE = `${SUPERGRAPH_DIR}supergraph.graphql`;
const CONFIG_FILE = `${SUPERGRAPH_DIR}supergraph.config.yaml`;
const HEADER = '# Composed from supergraph.config.yaml by examples/supergraph/compose.ts. Do not edit: run `npm run supergraph:compose`.\n';

const Config = z.strictObject({
  federation_version: z.string().regex(/^=?2\.\d+\.\d+$/, 'federation_version: =2.x.y'),
  subgraphs: z.record(
    z.string(),
    z.strictObject({
      routing_url: z.url(),
      schema: z.strictObject({ file: z.string() }),
    }),
  ),
});

export interface Composition {
  readonly supergraphSdl: string;
  /** Composition hints (not errors), one line each. */
  readonly hints: readonly string[];
}

/** Composes the subgraphs the config names; throws with every composition error. */
export function composeSupergraph(): Composition {
  const config = Config.parse(parseYaml(readFileSync(CONFIG_FILE, 'utf8')));
  const wanted = config.federation_version.replace(/^=/, '');
  const installed = (createRequire(import.meta.url)('@apollo/composition/package.json') as { version: string }).version;
  const minor = (version: string) => version.split('.').slice(0, 2).join('.');
  if (minor(installed) !== minor(wanted)) {
    throw new Error(`supergraph.config.yaml asks for federation ${wanted}, but @apollo/composition ${installed} is installed`);
  }
  const services = Object.entries(config.subgraphs).map(([name, subgraph]) => ({
    name,
    url: subgraph.routing_url,
    typeDefs: parse(readFileSync(new URL(subgraph.schema.file, `file://${SUPERGRAPH_DIR}`), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((error) => `  ${error.message}`).join('\n')}`);
  return { supergraphSdl: `${HEADER}${result.supergraphSdl}\n`, hints: result.hints.map((hint) => `${hint.definition.code}: ${hint.message}`) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const { supergraphSdl, hints } = composeSupergraph();
  if (!check) for (const hint of hints) process.stdout.write(`hint ${hint}\n`);
  let current: string | null = null;
  try {
    current = readFileSync(SUPERGRAPH_FILE, 'utf8');
  } catch {
    current = null;
  }
  if (check) {
    if (current !== supergraphSdl) {
      process.stderr.write('supergraph: examples/supergraph/supergraph.graphql is stale, run `npm run supergraph:compose`\n');
      process.exit(1);
    }
  } else if (current !== supergraphSdl) {
    writeFileSync(SUPERGRAPH_FILE, supergraphSdl);
    process.stdout.write('supergraph: wrote examples/supergraph/supergraph.graphql\n');
  }
}
