/**
 * The engine check: fails when an installed package declares an `engines.node` range the running
 * Node does not satisfy — what `npm ci` reports as an `EBADENGINE` warning and then installs anyway.
 * It reads the installed tree (every `node_modules/**\/package.json`), not the registry, so it runs
 * offline in well under a second. Run with `npm run engines:check` (part of `npm test`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';

export interface EngineMismatch {
  /** Where the package is installed, relative to the project: `node_modules/a/node_modules/b`. */
  readonly location: string;
  readonly name: string;
  readonly version: string;
  /** The package's `engines.node` range. */
  readonly required: string;
}

interface Manifest {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly engines?: { readonly node?: unknown };
}

/**
 * Every package installed under `<root>/node_modules` (nested trees included) whose `engines.node`
 * excludes `nodeVersion`. Prereleases count as their release, as npm's own check does.
 */
export function engineMismatches(root: string, nodeVersion: string): EngineMismatch[] {
  const mismatches: EngineMismatch[] = [];
  const visit = (modules: string, relative: string): void => {
    for (const entry of directories(modules)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of directories(join(modules, entry))) inspect(join(modules, entry, scoped), `${relative}/${entry}/${scoped}`);
      } else {
        inspect(join(modules, entry), `${relative}/${entry}`);
      }
    }
  };
  const inspect = (folder: string, relative: string): void => {
    const manifest = readManifest(join(folder, 'package.json'));
    const required = manifest?.engines?.node;
    if (manifest && typeof required === 'string' && semver.validRange(required) !== null && !semver.satisfies(nodeVersion, required, { includePrerelease: true })) {
      mismatches.push({ location: relative, name: String(manifest.name), version: String(manifest.version), required });
    }
    visit(join(folder, 'node_modules'), `${relative}/node_modules`);
  };
  visit(join(root, 'node_modules'), 'node_modules');
  return mismatches;
}

function directories(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => entry.name)
      .sort();
  } catch {
    // No node_modules here: a leaf package.
    return [];
  }
}

function readManifest(path: string): Manifest | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Manifest) : null;
  } catch {
    // A folder without a manifest (a package's own nested assets) is not a package.
    return null;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const mismatches = engineMismatches(root, process.version);
  if (mismatches.length > 0) {
    process.stderr.write(
      `engines:check: ${mismatches.length} installed package(s) do not support Node ${process.version} (npm ci warns EBADENGINE):\n` +
        mismatches.map((m) => `  - ${m.name}@${m.version} requires node ${m.required} (${m.location})`).join('\n') +
        '\nPick versions (or package.json "overrides") that support every Node the README promises.\n',
    );
    process.exit(1);
  }
  process.stdout.write(`engines:check: every installed package supports Node ${process.version}\n`);
}
