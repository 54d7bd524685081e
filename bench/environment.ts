import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tenantsFileDocument, type Tenant } from '../src/auth/index.js';
import { loadConfig } from '../src/config.js';
import { DEMO_DIRECTORY_FILE, startEmbeddedUpstreams, type EmbeddedOptions, type EmbeddedUpstreams } from '../src/embedded.js';
import type { BenchAuth } from './auth.js';
import { BENCH_SEED } from './operations.js';

/**
 * What every benchmark gateway shares: the production settings it runs with, pointed at the
 * simulators. The scenarios (bench/run.ts, fairness.ts, supergraph.ts, compare.ts, profile.ts) add
 * only what they measure on top, so a setting changed here changes every figure alike.
 */

/** The four simulators seeded with `seed`, each answering after `latencyMs`. */
export function startBenchUpstreams(latencyMs: number, seed: EmbeddedOptions = BENCH_SEED): Promise<EmbeddedUpstreams> {
  // The simulators read only their own settings: the embedded default's configuration is enough.
  return startEmbeddedUpstreams(loadConfig({}), {
    iqm: { ...seed.iqm, latencyMs },
    intact: { ...seed.intact, latencyMs },
    refrens: { ...seed.refrens, latencyMs },
    iqmetrix: { ...seed.iqmetrix, latencyMs },
  });
}

/** Both demo tenants with the simulators' credentials, as TENANTS_FILE names them (a private temporary file). */
export function writeTenantsFile(tenants: readonly Tenant[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bench-tenants-')), 'tenants.json');
  writeFileSync(file, tenantsFileDocument(tenants), { mode: 0o600 });
  return file;
}

export interface BenchGatewayOptions {
  readonly auth: BenchAuth;
  readonly upstreams: EmbeddedUpstreams;
  /** From writeTenantsFile: the demo directory names both demo tenants, so a single-tenant environment would be refused. */
  readonly tenantsFile: string;
  /** The embedded audit store: a directory of the run, or `memory://` where no scenario opens it. */
  readonly auditDataDir: string;
  /** Scenario settings on top (execution mode, pool size, bulkhead shares …). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** A production gateway's environment (authentication on) over the simulators and the demo directory. */
export function benchGatewayEnv(options: BenchGatewayOptions): Record<string, string> {
  const { endpoints } = options.upstreams;
  return {
    ...options.auth.env,
    NODE_ENV: 'production',
    PUBLIC_BASE_URL: 'https://bench.example',
    // One gateway process per measurement: its idempotency keys may live in its memory.
    IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true',
    // Request logs would measure pino, not the gateway; warnings and errors still print.
    LOG_LEVEL: 'warn',
    // A few tokens drive the whole load: the per-caller budgets would measure themselves.
    RATE_LIMIT_SUBJECT_REQUESTS: '0',
    RATE_LIMIT_TENANT_REQUESTS: '0',
    RATE_LIMIT_SUBJECT_UPSTREAM_CALLS: '0',
    RATE_LIMIT_TENANT_UPSTREAM_CALLS: '0',
    AUDIT_DATA_DIR: options.auditDataDir,
    IQM_BASE_URL: endpoints.iqm.baseUrl,
    INTACT_BASE_URL: endpoints.intact.baseUrl,
    REFRENS_BASE_URL: endpoints.refrens.baseUrl,
    IQMETRIX_BASE_URL: endpoints.iqmetrix.baseUrl,
    TENANTS_FILE: options.tenantsFile,
    CUSTOMER_DIRECTORY_FILE: DEMO_DIRECTORY_FILE,
    ...options.extra,
  };
}

/**
 * The node flags `npm start` runs dist/main.js with (read from package.json, so the benchmark
 * measures what production runs).
 */
export function productionNodeFlags(packageJson = path.resolve('package.json')): string[] {
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: Record<string, string> };
  const match = /\bnode((?: --\S+)*) dist\/main\.js/.exec(scripts['start'] ?? '');
  if (!match) throw new Error(`${packageJson}: the start script does not run \`node [flags] dist/main.js\``);
  return match[1]!.split(' ').filter(Boolean);
}
