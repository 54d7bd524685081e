import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { DEMO_DIRECTORY_FILE, startEmbeddedUpstreams, type EmbeddedOptions, type EmbeddedUpstreams } from './embedded.js';
import { tenantsFileDocument } from './auth/index.js';

/**
 * `npm run simulators [-- <options>]`: the four upstream simulators (IQM, Intact, Refrens, iQmetrix)
 * in a process of their own, on fixed ports, with their demo data, so several gateway replicas, or
 * anyone trying the gateway against a peer, share one set. It prints the environment a gateway needs
 * to use them (`KEY=value` lines; the rest are `#` comments, so the output is a valid env file) and
 * stops cleanly on SIGINT or SIGTERM. Every option also reads from the environment variable named
 * beside it; a flag wins over the variable. The data is invented; nothing here is for production.
 */

const USAGE = `Usage: npm run simulators -- [options]

  --host <address>            SIMULATORS_HOST            interface to listen on (default 127.0.0.1; 0.0.0.0 in a container)
  --advertised-host <name>    SIMULATORS_ADVERTISED_HOST host written in the printed URLs (default: the host, or 127.0.0.1 for 0.0.0.0)
  --iqm-port <n>              SIMULATOR_IQM_PORT         default 4101 (0: a free port)
  --intact-port <n>           SIMULATOR_INTACT_PORT      default 4102
  --refrens-port <n>          SIMULATOR_REFRENS_PORT     default 4103
  --iqmetrix-port <n>         SIMULATOR_IQMETRIX_PORT    default 4104
  --latency-ms <n>            SIMULATOR_LATENCY_MS       added before every answer, to model remote systems (default 0)
  --iqm-invoices-per-customer <n>        IQM invoices seeded per customer workspace (default 6)
  --iqm-customers-per-organization <n>   IQM customer workspaces seeded per organization (default 3)
  --intact-invoices-per-account <n>      Intact invoices seeded per account (default 8)
  --refrens-payments-per-invoice <n>     Refrens payments per seeded invoice (default: the seed's own, 0 to 3)
  --iqmetrix-invoices-per-customer <n>   iQmetrix invoices seeded per customer (default 5)
  --tenants-file <path>       SIMULATORS_TENANTS_FILE    where to write the demo tenants' TENANTS_FILE (default: a temporary file, removed on exit)
  --save-env <path>           SIMULATORS_SAVE_ENV        also write the printed environment to this file (an env file)
  --help
`;

const DEFAULT_PORTS = { iqm: 4101, intact: 4102, refrens: 4103, iqmetrix: 4104 } as const;

class UsageError extends Error {}

interface SimulatorsOptions {
  readonly host: string;
  readonly advertisedHost: string | null;
  readonly ports: { readonly iqm: number; readonly intact: number; readonly refrens: number; readonly iqmetrix: number };
  readonly latencyMs: number;
  readonly seed: { readonly iqm: EmbeddedOptions['iqm']; readonly intact: EmbeddedOptions['intact']; readonly refrens: EmbeddedOptions['refrens']; readonly iqmetrix: EmbeddedOptions['iqmetrix'] };
  readonly tenantsFile: string | null;
  readonly envFile: string | null;
}

/** Reads flags over environment variables; throws UsageError naming every bad value. */
function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SimulatorsOptions | 'help' {
  const text = { type: 'string' } as const;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: text,
        'advertised-host': text,
        'iqm-port': text,
        'intact-port': text,
        'refrens-port': text,
        'iqmetrix-port': text,
        'latency-ms': text,
        'iqm-invoices-per-customer': text,
        'iqm-customers-per-organization': text,
        'intact-invoices-per-account': text,
        'refrens-payments-per-invoice': text,
        'iqmetrix-invoices-per-customer': text,
        'tenants-file': text,
        'save-env': text,
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  const given = (flag: keyof typeof values, variable: string | null): string | undefined => {
    const value = values[flag];
    if (typeof value === 'string') return value.trim();
    const fromEnv = variable === null ? undefined : env[variable]?.trim();
    return fromEnv ? fromEnv : undefined;
  };
  const whole = (flag: keyof typeof values, variable: string | null, min: number, max: number): number | undefined => {
    const value = given(flag, variable);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`--${flag}${variable ? ` (${variable})` : ''}: must be a whole number from ${min} to ${max}, not "${value}"`);
      return undefined;
    }
    return Number(value);
  };
  const port = (system: keyof typeof DEFAULT_PORTS) => whole(`${system}-port`, `SIMULATOR_${system.toUpperCase()}_PORT`, 0, 65_535) ?? DEFAULT_PORTS[system];
  const ports = { iqm: port('iqm'), intact: port('intact'), refrens: port('refrens'), iqmetrix: port('iqmetrix') };
  const fixed = Object.values(ports).filter((value) => value !== 0);
  if (new Set(fixed).size !== fixed.length) problems.push(`the four ports must differ: ${JSON.stringify(ports)}`);
  const count = (flag: keyof typeof values) => whole(flag, null, 0, 1_000);
  const options: SimulatorsOptions = {
    host: given('host', 'SIMULATORS_HOST') ?? '127.0.0.1',
    advertisedHost: given('advertised-host', 'SIMULATORS_ADVERTISED_HOST') ?? null,
    ports,
    latencyMs: whole('latency-ms', 'SIMULATOR_LATENCY_MS', 0, 60_000) ?? 0,
    seed: {
      iqm: defined({ invoicesPerCustomer: count('iqm-invoices-per-customer'), customersPerOrganization: count('iqm-customers-per-organization') }),
      intact: defined({ invoicesPerAccount: count('intact-invoices-per-account') }),
      refrens: defined({ paymentsPerInvoice: count('refrens-payments-per-invoice') }),
      iqmetrix: defined({ invoicesPerCustomer: count('iqmetrix-invoices-per-customer') }),
    },
    tenantsFile: given('tenants-file', 'SIMULATORS_TENANTS_FILE') ?? null,
    envFile: given('save-env', 'SIMULATORS_SAVE_ENV') ?? null,
  };
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return options;
}

function defined<T extends Record<string, number | undefined>>(entries: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: number };
}

/** What a gateway needs to use these simulators, as env-file lines. */
function environmentLines(embedded: EmbeddedUpstreams, advertisedHost: string | null, tenantsFile: string): string[] {
  const advertised = (baseUrl: string) => {
    if (advertisedHost === null) return baseUrl;
    const url = new URL(baseUrl);
    url.hostname = advertisedHost;
    return url.toString().replace(/\/$/, '');
  };
  const { iqm, intact, refrens, iqmetrix } = embedded.endpoints;
  const firstTenant = embedded.demoTenants[0]?.id ?? 'alchemist-media';
  return [
    '# Upstream simulators (INVENTED demo data) from `npm run simulators`; a gateway uses them with:',
    `IQM_BASE_URL=${advertised(iqm.baseUrl)}`,
    `INTACT_BASE_URL=${advertised(intact.baseUrl)}`,
    `REFRENS_BASE_URL=${advertised(refrens.baseUrl)}`,
    `IQMETRIX_BASE_URL=${advertised(iqmetrix.baseUrl)}`,
    `TENANTS_FILE=${tenantsFile}`,
    `CUSTOMER_DIRECTORY_FILE=${DEMO_DIRECTORY_FILE}`,
    '# With upstream URLs set the gateway requires authentication: name your issuer (AUTH_ISSUER, AUTH_AUDIENCE,',
    '# AUTH_JWKS_URL; README, "Authentication and authorization"), or for a trial on this machine only:',
    '# AUTH_DISABLED=true',
    `# AUTH_DISABLED_TENANT=${firstTenant}`,
  ];
}

async function main(): Promise<void> {
  let options: SimulatorsOptions | 'help';
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { host, ports, latencyMs, seed } = options;
  const common = { host, latencyMs, recordCalls: false };
  let embedded: EmbeddedUpstreams;
  try {
    // The simulators read only their own options; the defaults of the gateway's configuration (every
    // upstream URL unset) make startEmbeddedUpstreams start all four and describe their demo tenants.
    embedded = await startEmbeddedUpstreams(loadConfig({}), {
      iqm: { ...seed.iqm, ...common, port: ports.iqm },
      intact: { ...seed.intact, ...common, port: ports.intact },
      refrens: { ...seed.refrens, ...common, port: ports.refrens },
      iqmetrix: { ...seed.iqmetrix, ...common, port: ports.iqmetrix },
    });
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const reason = code === 'EADDRINUSE' ? `a port is in use (${JSON.stringify(ports)}); choose others with --<system>-port or SIMULATOR_<SYSTEM>_PORT` : String(error);
    process.stderr.write(`simulators could not start: ${reason}\n`);
    // Simulators that did start keep their listeners open: leave at once.
    process.exit(1);
  }
  const temporary = options.tenantsFile === null ? mkdtempSync(join(tmpdir(), 'finance-simulators-')) : null;
  const tenantsFile = options.tenantsFile ?? join(temporary!, 'tenants.json');
  writeFileSync(tenantsFile, tenantsFileDocument(embedded.demoTenants), { mode: 0o600 });
  const lines = environmentLines(embedded, options.advertisedHost, tenantsFile);
  if (options.envFile !== null) writeFileSync(options.envFile, `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n# Simulators ready (${embedded.endpoints.simulated.join(', ')}); Ctrl-C stops them.\n`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal}: stopping the simulators\n`);
    try {
      await embedded.stop();
    } finally {
      if (temporary !== null) rmSync(temporary, { recursive: true, force: true });
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

await main();
