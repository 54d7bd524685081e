import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Extracts the JSON request and response samples of the four seed documents (the upstreams'
 * documentation, `../shared/seeds/`) and names each by its operation id (A1–A52, B1–B2, C1–C2,
 * D1–D3), and the parameter tables of IQM's and Refrens' operations. They are committed under
 * test/contracts/samples/; `contracts.test.ts` checks that they are still what the documents say and
 * holds the gateway's client against every one; `graphql.test.ts` runs each response sample end to end.
 *
 *   npx tsx test/contracts/extract.ts            rewrite samples/ from the documents
 *   SEEDS_DIR=/path npx tsx test/contracts/extract.ts
 */

export type SampleKind = 'request' | 'response';

export interface ContractSample {
  /** Operation id from UPSTREAMS.md (A1…D3), or `D:<Resource>` for iQmetrix's resource models. */
  readonly op: string;
  readonly kind: SampleKind;
  /** 1-based position among the samples of the same op and kind, in document order. */
  readonly index: number;
  /** The HTTP status the document gives the sample, when it gives one. */
  readonly status: number | null;
  /** The seed document and the 1-based line where the sample starts. */
  readonly source: string;
  readonly line: number;
  /** The sample exactly as written (B2's unquoted-key body is the one exception: keys are quoted). */
  readonly text: string;
}

export const SEED_FILES = {
  iqm: '000_cb46ec1685ab0a68.txt',
  intact: '001_0c4da4cf5bbc64fc.txt',
  refrens: '002_e72dc8995a5d78e7.txt',
  iqmetrix: '003_5a2de5ef98c7bfbf.txt',
} as const;

const here = dirname(fileURLToPath(import.meta.url));
export const SAMPLES_DIR = join(here, 'samples');
/** Where the seed documents are: $SEEDS_DIR, else `../shared/seeds` beside the repository. */
export const DEFAULT_SEEDS_DIR = process.env['SEEDS_DIR'] ?? resolve(here, '../../../shared/seeds');

interface Section {
  readonly op: string;
  readonly from: number;
}

/** A JSON block: a line that is exactly `{` or `[` up to its balanced close (strings respected). */
function jsonBlocks(lines: readonly string[]): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  for (let start = 0; start < lines.length; start += 1) {
    const first = lines[start] ?? '';
    if (first !== '{' && first !== '[') continue;
    let depth = 0;
    let inString = false;
    let escaped = false;
    let end = -1;
    for (let at = start; at < lines.length && end < 0; at += 1) {
      for (const char of lines[at] ?? '') {
        if (inString) {
          if (escaped) escaped = false;
          else if (char === '\\') escaped = true;
          else if (char === '"') inString = false;
        } else if (char === '"') inString = true;
        else if (char === '{' || char === '[') depth += 1;
        else if (char === '}' || char === ']') depth -= 1;
      }
      if (depth === 0) end = at;
    }
    if (end < 0) continue;
    const text = lines.slice(start, end + 1).join('\n');
    try {
      JSON.parse(text);
    } catch {
      // A code sample's body (`{` opening a C# method), not JSON.
      continue;
    }
    blocks.push({ line: start + 1, text });
    start = end;
  }
  return blocks;
}

/** The status the document states just above a sample (`HTTP 201`, `Response 200`, `401: Unauthorized`). */
function statedStatus(lines: readonly string[], line: number): number | null {
  for (let at = line - 2; at >= Math.max(0, line - 5); at -= 1) {
    const text = lines[at] ?? '';
    const match = /^HTTP (\d{3})\b/.exec(text) ?? /title="Response (\d{3})"/.exec(text) ?? /^(\d{3}): /.exec(text);
    if (match) return Number(match[1]);
    if (text === '}' || text === ']') break;
  }
  return null;
}

function sectionOf(sections: readonly Section[], line: number): string | null {
  let op: string | null = null;
  for (const section of sections) if (section.from <= line) op = section.op;
  return op;
}

function iqmSections(lines: readonly string[]): Section[] {
  const sections: Section[] = [];
  lines.forEach((line, index) => {
    if (/^(GET|POST|PATCH|PUT|DELETE)[A-Z]/.test(lines[index + 1] ?? '') && line.trim() !== '') {
      sections.push({ op: `A${sections.length + 1}`, from: index + 1 });
    }
  });
  if (sections.length !== 52) throw new Error(`IQM document: expected 52 operations, found ${sections.length}`);
  return sections;
}

/** IQM: the first block of an operation with no `success` key is its request; everything else a response. */
function iqmSamples(text: string, source: string): Omit<ContractSample, 'index'>[] {
  const lines = text.split('\n');
  const sections = iqmSections(lines);
  return jsonBlocks(lines).map((block) => {
    const op = sectionOf(sections, block.line);
    if (!op) throw new Error(`IQM document: a JSON block at line ${block.line} precedes every operation`);
    const value: unknown = JSON.parse(block.text);
    const isResponse = typeof value === 'object' && value !== null && !Array.isArray(value) && 'success' in value;
    return { op, kind: isResponse ? 'response' : 'request', status: statedStatus(lines, block.line), source, line: block.line, text: block.text };
  });
}

/** Intact shows no JSON sample; B2's body is a JavaScript object literal in its key table. */
function intactSamples(text: string, source: string): Omit<ContractSample, 'index'>[] {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.startsWith('Body Required {'));
  if (at < 0) throw new Error('Intact document: the B2 body sample is gone');
  const literal = (lines[at] ?? '').slice('Body Required '.length).trim();
  const quoted = literal.replace(/([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:/g, '$1"$2":');
  JSON.parse(quoted);
  return [{ op: 'B2', kind: 'request', status: null, source, line: at + 1, text: quoted }];
}

function refrensSamples(text: string, source: string): Omit<ContractSample, 'index'>[] {
  const lines = text.split('\n');
  const sections: Section[] = [];
  lines.forEach((line, index) => {
    if (line.startsWith('post /businesses/')) sections.push({ op: 'C1', from: index + 1 });
    if (line.startsWith('get /businesses/')) sections.push({ op: 'C2', from: index + 1 });
  });
  return jsonBlocks(lines).map((block) => ({
    op: sectionOf(sections, block.line) ?? 'C?',
    kind: 'response',
    status: statedStatus(lines, block.line),
    source,
    line: block.line,
    text: block.text,
  }));
}

/** iQmetrix: resource models first (named by the line above them), then D1–D3 with requests and responses. */
function iqmetrixSamples(text: string, source: string): Omit<ContractSample, 'index'>[] {
  const lines = text.split('\n');
  const sections: Section[] = [];
  lines.forEach((line, index) => {
    if (line === 'GET Invoice Summaries for a Company') sections.push({ op: 'D1', from: index + 1 });
    if (line === 'GET an Invoice') sections.push({ op: 'D2', from: index + 1 });
    if (line === 'POST an Invoice') sections.push({ op: 'D3', from: index + 1 });
  });
  return jsonBlocks(lines).map((block) => {
    const op = sectionOf(sections, block.line);
    const status = statedStatus(lines, block.line);
    if (op) return { op, kind: status === null ? 'request' : 'response', status, source, line: block.line, text: block.text };
    // The resource's name is the last single-word line above it (one has a sentence in between).
    const name = [...lines.slice(0, block.line - 1)].reverse().find((line) => /^[A-Z][A-Za-z]+$/.test(line.trim())) ?? 'Unknown';
    return { op: `D:${name.trim()}`, kind: 'response', status: null, source, line: block.line, text: block.text };
  });
}

/** One documented request parameter: a row of an operation's path, query or body table. */
export interface DocumentedParameter {
  readonly name: string;
  /** The type as the table writes it (`integer`, `string`, `boolean`, `number`, `string (enum)`, …). */
  readonly type: string;
  readonly required: boolean;
  readonly in: 'path' | 'query' | 'body';
}

/** An operation's HTTP method and its parameter tables' rows (path parameters included). */
export interface DocumentedOperation {
  readonly method: string;
  readonly parameters: DocumentedParameter[];
}

const IQM_TABLES: Readonly<Record<string, DocumentedParameter['in']>> = {
  'Path Parameter': 'path',
  'Path Parameters': 'path',
  'Query Parameter': 'query',
  'Query Parameters': 'query',
  'Query Paramters': 'query',
  'Request Schema': 'body',
};

/**
 * IQM's parameter tables (`| Query Parameters | |`, then `name type [required|optional] | text |`
 * rows) per operation; Refrens' C1 body table (`name | type | text |` under `Body`). The writes
 * without a JSON request sample are held against these.
 */
function iqmParameters(text: string): Record<string, DocumentedOperation> {
  const lines = text.split('\n');
  const sections = iqmSections(lines);
  const tables: Record<string, DocumentedOperation> = {};
  for (const section of sections) {
    const method = /^(GET|POST|PATCH|PUT|DELETE)/.exec(lines[section.from] ?? '')?.[1];
    if (!method) throw new Error(`IQM document: ${section.op} names no method`);
    tables[section.op] = { method, parameters: [] };
  }
  let location: DocumentedParameter['in'] | null = null;
  lines.forEach((line, index) => {
    const header = /^\| (.+?) \| \|$/.exec(line);
    if (header) {
      location = IQM_TABLES[header[1] ?? ''] ?? null;
      return;
    }
    if (line === '|---|---|' || location === null) return;
    const row = /^([A-Za-z][A-Za-z0-9_]*) ([^|]+?)(?: (required|optional))? \| .*\|$/.exec(line);
    if (!row) {
      location = null;
      return;
    }
    const op = sectionOf(sections, index + 1);
    if (!op) return;
    tables[op]!.parameters.push({ name: row[1]!, type: row[2]!.trim(), required: row[3] === 'required', in: location });
  });
  return tables;
}

function refrensParameters(text: string): Record<string, DocumentedOperation> {
  const lines = text.split('\n');
  const start = lines.indexOf('Body');
  if (start < 0 || lines[start + 1] !== 'Name | Type | Value Description |') throw new Error('Refrens document: the C1 body table is gone');
  const rows: DocumentedParameter[] = [];
  for (const line of lines.slice(start + 3)) {
    const row = /^([A-Za-z][A-Za-z0-9_]*) \| ([^|]+?) \| .*\|$/.exec(line);
    if (!row) break;
    rows.push({ name: row[1]!, type: row[2]!, required: false, in: 'body' });
  }
  // C2's path parameters are the same as C1's and it has no other.
  return { C1: { method: 'POST', parameters: rows }, C2: { method: 'GET', parameters: [] } };
}

/** The method and documented request parameters of each IQM and Refrens operation, by operation id. */
export function extractParameters(seedsDir: string = DEFAULT_SEEDS_DIR): Record<string, DocumentedOperation> {
  const read = (file: string) => readFileSync(join(seedsDir, file), 'utf8').replace(/\r\n/g, '\n');
  return { ...iqmParameters(read(SEED_FILES.iqm)), ...refrensParameters(read(SEED_FILES.refrens)) };
}

/** Every sample of the four documents, numbered per op and kind in document order. */
export function extractSamples(seedsDir: string = DEFAULT_SEEDS_DIR): ContractSample[] {
  const read = (file: string) => readFileSync(join(seedsDir, file), 'utf8').replace(/\r\n/g, '\n');
  const raw = [
    ...iqmSamples(read(SEED_FILES.iqm), SEED_FILES.iqm),
    ...intactSamples(read(SEED_FILES.intact), SEED_FILES.intact),
    ...refrensSamples(read(SEED_FILES.refrens), SEED_FILES.refrens),
    ...iqmetrixSamples(read(SEED_FILES.iqmetrix), SEED_FILES.iqmetrix),
  ];
  const counts = new Map<string, number>();
  return raw.map((sample) => {
    const key = `${sample.op}.${sample.kind}`;
    const index = (counts.get(key) ?? 0) + 1;
    counts.set(key, index);
    return { ...sample, index };
  });
}

/** The file a sample is committed as: `A52.response.1.json`, `D:Invoice` as `D-Invoice.response.1.json`. */
export function sampleFileName(sample: Pick<ContractSample, 'op' | 'kind' | 'index'>): string {
  return `${sample.op.replace(':', '-')}.${sample.kind}.${sample.index}.json`;
}

/** The method and documented request parameters of every IQM and Refrens operation (see `extractParameters`). */
export const PARAMETERS_FILE = 'parameters.json';

/**
 * What is committed: one file per sample (its text as written), a manifest of where each came from,
 * and the operations' documented request parameters.
 */
export function renderSamples(samples: readonly ContractSample[], seedsDir: string = DEFAULT_SEEDS_DIR): Map<string, string> {
  const files = new Map<string, string>();
  for (const sample of samples) files.set(sampleFileName(sample), `${sample.text}\n`);
  const manifest = {
    note: 'Generated by test/contracts/extract.ts from the seed documents; do not edit by hand.',
    documents: Object.fromEntries(
      Object.values(SEED_FILES).map((file) => [file, createHash('sha256').update(readFileSync(join(seedsDir, file))).digest('hex')]),
    ),
    samples: samples.map(({ op, kind, index, status, source, line }) => ({ file: sampleFileName({ op, kind, index }), op, kind, index, status, source, line })),
  };
  files.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  files.set(PARAMETERS_FILE, `${JSON.stringify(extractParameters(seedsDir), null, 2)}\n`);
  return files;
}

/** The committed samples, by file name. */
export function committedSamples(): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(SAMPLES_DIR)) return files;
  for (const name of readdirSync(SAMPLES_DIR).sort()) files.set(name, readFileSync(join(SAMPLES_DIR, name), 'utf8'));
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = renderSamples(extractSamples());
  rmSync(SAMPLES_DIR, { recursive: true, force: true });
  mkdirSync(SAMPLES_DIR, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(SAMPLES_DIR, name), text);
  console.log(`wrote ${files.size - 2} samples, manifest.json and ${PARAMETERS_FILE} to ${SAMPLES_DIR}`);
}
