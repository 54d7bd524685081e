import { spawn } from 'node:child_process';
import { constants, accessSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * What PGlite starts PostgreSQL with, on top of its own defaults: 8 MB of shared buffers instead of
 * the 128 MB initdb writes into postgresql.conf. PostgreSQL clears its shared memory when it starts,
 * so every buffer costs resident memory from the first query on, used or not (measured: an opened
 * directory held 290 MB of RSS with 128 MB, 150 MB with 8 MB; bench/README.md, "The embedded audit
 * store"). The audit trail appends small rows to two tables and reads them by index: pages that fall
 * out of 8 MB are read again from the operating system's file cache.
 */
export const PGLITE_SETTINGS: readonly string[] = ['-c', 'shared_buffers=8MB'];

/** A PGlite data directory that holds the files PostgreSQL needs before it starts. */
const DATA_DIRECTORY_FILES = ['PG_VERSION', join('global', 'pg_control')];

/**
 * Checks the embedded audit store's data directory without opening it, cheaply enough for every
 * start-up: `absent` when it does not exist yet or is empty (it has to be created), `ready` when it
 * is a readable, writable PostgreSQL data directory. Throws, naming the problem, when it is a file,
 * cannot be read or written, or holds something other than a data directory.
 */
export function checkEmbeddedDirectory(dataDir: string): 'absent' | 'ready' {
  let entries: string[];
  try {
    if (!statSync(dataDir).isDirectory()) throw new Error(`${dataDir} is not a directory`);
    entries = readdirSync(dataDir);
  } catch (error) {
    if (isMissing(error)) return 'absent';
    throw error;
  }
  if (entries.length === 0) return 'absent';
  for (const file of DATA_DIRECTORY_FILES) {
    try {
      // The data must be writable as well as readable: every append writes a page and the write-ahead log.
      accessSync(join(dataDir, file), constants.R_OK | constants.W_OK);
    } catch (error) {
      if (isMissing(error)) throw new Error(`${dataDir} is neither empty nor a PostgreSQL data directory (it has no ${file})`);
      throw error;
    }
  }
  accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  if (!/^\d+\s*$/.test(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8'))) throw new Error(`${join(dataDir, 'PG_VERSION')} holds no PostgreSQL version`);
  return 'ready';
}

/**
 * Creates a new PGlite data directory in a child process that exits when it is done. Creating one
 * runs initdb in WebAssembly: seconds of CPU and a peak of 650–900 MB of RSS that the process keeps
 * (measured), which the gateway's own process must not carry for the rest of its life.
 */
export async function createEmbeddedDirectory(dataDir: string): Promise<void> {
  // The CommonJS entry: `node -e` has no module of ours to resolve a bare specifier from.
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = [
    `const { mkdirSync } = require('node:fs');`,
    `const { PGlite } = require(${JSON.stringify(pglite)});`,
    `const [dataDir, settings] = [process.argv[1], JSON.parse(process.argv[2])];`,
    // PGlite creates its directory but not the parents (data/audit on a fresh clone).
    `mkdirSync(dataDir, { recursive: true });`,
    `PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, ...settings] })`,
    `  .then((db) => db.close())`,
    `  .then(() => process.exit(0), (error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); });`,
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script, dataDir, JSON.stringify(PGLITE_SETTINGS)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`creating the data directory failed (exit ${code}): ${stderr.trim().slice(-500) || 'no message'}`);
  if (checkEmbeddedDirectory(dataDir) !== 'ready') throw new Error(`creating the data directory left ${dataDir} without a PostgreSQL data directory`);
}

/** Checks the directory and creates it (in a child process) when it does not exist yet. */
export async function prepareEmbeddedDirectory(dataDir: string): Promise<void> {
  if (checkEmbeddedDirectory(dataDir) === 'absent') await createEmbeddedDirectory(dataDir);
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
