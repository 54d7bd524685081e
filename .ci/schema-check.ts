/**
 * The breaking-change check: compares the printed SDL (src/__generated__/schema.graphql) of a base
 * commit with the working tree's, prints every change graphql-inspector finds, and fails when a
 * BREAKING one is not announced in schema/BREAKING_CHANGES.md. The subgraph SDL
 * (src/__generated__/subgraph.graphql, `_service.sdl`) is compared too, for what only a router
 * reads: an entity's `@key` removed or changed breaks the supergraph's query plans, a value type
 * no longer `@shareable` breaks composition with the subgraphs that also define it.
 *
 * Base: $BASE_REF when set; else, off origin/main, the merge-base with origin/main; else HEAD~1 (on
 * main itself: what the last commit changed). Run with `npm run schema:check`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { Kind, parse, print, type DirectiveNode, type DocumentNode } from 'graphql';

const PRINTED_SDL = 'src/__generated__/schema.graphql';
const SUBGRAPH_SDL = 'src/__generated__/subgraph.graphql';
const ANNOUNCEMENTS = 'schema/BREAKING_CHANGES.md';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SchemaChange {
  readonly level: 'BREAKING' | 'DANGEROUS' | 'NON_BREAKING';
  /** The schema coordinate, as graphql-inspector reports it (`Type.field`, `Type.field.argument`, `Type`). */
  readonly path: string | null;
  readonly message: string;
  /** For a breaking change: whether BREAKING_CHANGES.md announces its path. */
  readonly announced: boolean;
}

export interface SchemaCheckResult {
  readonly changes: readonly SchemaChange[];
  /** Breaking changes whose path is not announced: the check fails when there is any. */
  readonly unannounced: readonly SchemaChange[];
}

const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)*$/;

/**
 * The coordinates announced in BREAKING_CHANGES.md: in the list items under "## Announced", the
 * backticked names an item starts with (`- \`A.b\`: …` or `- \`A.b\`, \`C.d\`: …`). Backticked names
 * later in an item's explanation do not announce anything.
 */
export function parseAnnouncements(markdown: string): Set<string> {
  const announced = new Set<string>();
  const start = markdown.search(/^##\s+Announced\s*$/m);
  if (start < 0) return announced;
  for (const line of markdown.slice(start).split('\n')) {
    const item = /^\s*[-*]\s+((?:`[^`]+`(?:\s*,\s*|\s+and\s+|\s*))+)/.exec(line);
    if (!item?.[1]) continue;
    for (const [, name] of item[1].matchAll(/`([^`]+)`/g)) {
      if (name && COORDINATE.test(name.trim())) announced.add(name.trim());
    }
  }
  return announced;
}

/** Diffs two SDL documents and marks each breaking change as announced or not. */
export async function checkSchemaChanges(baseSdl: string, headSdl: string, announcementsMarkdown: string): Promise<SchemaCheckResult> {
  const announcements = parseAnnouncements(announcementsMarkdown);
  // Built by graphql-tools rather than graphql's buildSchema: both packages then share the graphql
  // module inspector uses (vitest would otherwise load graphql's ESM build beside their CommonJS one).
  const found = await diff(makeExecutableSchema({ typeDefs: baseSdl }), makeExecutableSchema({ typeDefs: headSdl }));
  const changes = found.map((change): SchemaChange => {
    const path = change.path ?? null;
    const level =
      change.criticality.level === CriticalityLevel.Breaking
        ? 'BREAKING'
        : change.criticality.level === CriticalityLevel.Dangerous
          ? 'DANGEROUS'
          : 'NON_BREAKING';
    return { level, path, message: change.message, announced: level === 'BREAKING' && path !== null && announcements.has(path) };
  });
  return { changes, unannounced: changes.filter((change) => change.level === 'BREAKING' && !change.announced) };
}

/** `@key` and `@shareable` of each type of a subgraph SDL: what a router plans and composes with. */
function federationFacts(document: DocumentNode): Map<string, { keys: Set<string>; shareable: boolean }> {
  const facts = new Map<string, { keys: Set<string>; shareable: boolean }>();
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const directives: readonly DirectiveNode[] = definition.directives ?? [];
    const entry = facts.get(definition.name.value) ?? { keys: new Set<string>(), shareable: false };
    for (const directive of directives) {
      if (directive.name.value === 'key') {
        const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
        entry.keys.add(fields?.kind === Kind.STRING ? fields.value : fields ? print(fields) : '');
      }
      if (directive.name.value === 'shareable') entry.shareable = true;
    }
    facts.set(definition.name.value, entry);
  }
  return facts;
}

/**
 * What the subgraph SDL changes for a router: a `@key` that is gone (an entity no longer resolvable
 * by it) or a type no longer `@shareable` is BREAKING; a new key or a newly shareable type is not.
 */
export function checkSubgraphChanges(baseSdl: string, headSdl: string, announcementsMarkdown: string): SchemaCheckResult {
  const announcements = parseAnnouncements(announcementsMarkdown);
  const base = federationFacts(parse(baseSdl));
  const head = federationFacts(parse(headSdl));
  const changes: SchemaChange[] = [];
  const add = (level: SchemaChange['level'], path: string, message: string) =>
    changes.push({ level, path, message, announced: level === 'BREAKING' && announcements.has(path) });
  for (const [name, before] of base) {
    const after = head.get(name);
    for (const key of before.keys) {
      if (!after?.keys.has(key)) add('BREAKING', name, `Entity key @key(fields: "${key}") was removed from '${name}' (subgraph SDL)`);
    }
    if (before.shareable && after && !after.shareable) add('BREAKING', name, `'${name}' is no longer @shareable (subgraph SDL)`);
  }
  for (const [name, after] of head) {
    const before = base.get(name);
    for (const key of after.keys) if (!before?.keys.has(key)) add('NON_BREAKING', name, `Entity key @key(fields: "${key}") was added to '${name}' (subgraph SDL)`);
    if (after.shareable && before && !before.shareable) add('NON_BREAKING', name, `'${name}' is now @shareable (subgraph SDL)`);
  }
  return { changes, unannounced: changes.filter((change) => change.level === 'BREAKING' && !change.announced) };
}

function git(args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return null;
  }
}

/** The commit to compare with, and why that one. Null when this is not a git checkout with history. */
function baseCommit(): { readonly ref: string; readonly reason: string } | null {
  const fromEnv = process.env['BASE_REF']?.trim();
  if (fromEnv) return { ref: fromEnv, reason: 'BASE_REF' };
  if (git(['rev-parse', '--verify', '--quiet', 'origin/main^{commit}']) !== null) {
    const onMain = git(['merge-base', '--is-ancestor', 'HEAD', 'origin/main']) !== null;
    if (!onMain) {
      const mergeBase = git(['merge-base', 'HEAD', 'origin/main'])?.trim();
      if (mergeBase) return { ref: mergeBase, reason: 'merge-base with origin/main' };
    }
  }
  if (git(['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}']) !== null) return { ref: 'HEAD~1', reason: 'the previous commit' };
  return null;
}

/**
 * The base's schema as SDL: its printed SDL; before that file existed, its schema/*.graphql merged the
 * same way (extensions applied); null when the base has no schema at all.
 */
function baseSdl(ref: string): string | null {
  const printed = git(['show', `${ref}:${PRINTED_SDL}`]);
  if (printed !== null) return printed;
  const files = git(['ls-tree', '--name-only', `${ref}`, 'schema/'])
    ?.split('\n')
    .filter((name) => name.endsWith('.graphql'))
    .sort((a, b) => (a.endsWith('/base.graphql') ? -1 : b.endsWith('/base.graphql') ? 1 : a.localeCompare(b)));
  if (!files || files.length === 0) return null;
  return files.map((file) => git(['show', `${ref}:${file}`]) ?? '').join('\n');
}

function formatChange(change: SchemaChange): string {
  const mark = change.level === 'BREAKING' ? (change.announced ? 'BREAKING (announced)' : 'BREAKING (NOT ANNOUNCED)') : change.level;
  // Description changes quote whole multi-line descriptions; one line each keeps the list readable.
  const message = change.message.replace(/\s*\n\s*/g, ' ');
  return `  ${mark.padEnd(25)} ${change.path ?? '(schema)'}: ${message.length > 200 ? `${message.slice(0, 199)}…` : message}`;
}

async function main(): Promise<number> {
  const base = baseCommit();
  if (!base) {
    console.log('schema:check: no base commit to compare with (not a git checkout, or a shallow clone: set BASE_REF or fetch more history); skipped.');
    return 0;
  }
  const sdl = baseSdl(base.ref);
  if (sdl === null) {
    console.log(`schema:check: ${base.ref} (${base.reason}) has no schema yet; nothing to compare.`);
    return 0;
  }
  const head = readFileSync(`${ROOT}${PRINTED_SDL}`, 'utf8');
  const announcements = readFileSync(`${ROOT}${ANNOUNCEMENTS}`, 'utf8');
  const clientResult = await checkSchemaChanges(sdl, head, announcements);
  // Before the subgraph SDL existed there is nothing a router relied on.
  const baseSubgraph = git(['show', `${base.ref}:${SUBGRAPH_SDL}`]);
  const subgraphResult = baseSubgraph === null ? null : checkSubgraphChanges(baseSubgraph, readFileSync(`${ROOT}${SUBGRAPH_SDL}`, 'utf8'), announcements);
  const result: SchemaCheckResult = {
    changes: [...clientResult.changes, ...(subgraphResult?.changes ?? [])],
    unannounced: [...clientResult.unannounced, ...(subgraphResult?.unannounced ?? [])],
  };
  console.log(`schema:check: ${result.changes.length} change(s) against ${base.ref} (${base.reason}).`);
  for (const change of result.changes) console.log(formatChange(change));
  if (result.unannounced.length > 0) {
    console.error(
      `schema:check: ${result.unannounced.length} breaking change(s) not announced. Announce each in ${ANNOUNCEMENTS} ` +
        'as a list item under "## Announced" naming its path in backticks, or make the change non-breaking.',
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
