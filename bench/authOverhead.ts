import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getOperationAST, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { ALL_SCOPES, Authenticator, TenantRegistry, authorizationSubjectOf, pruneOperation, type Caller } from '../src/auth/index.js';
import { loadConfig } from '../src/config.js';
import { buildSchema } from '../src/schema.js';
import { BENCH_OPERATIONS } from './operations.js';

/**
 * Authentication and authorization overhead per operation, measured in-process (target: under
 * 0.1 ms per operation at saturation). What a request pays before execution:
 * - `Authenticator.authenticate` for a client's repeated token (verified once, then remembered), and
 *   for a token seen for the first time (ES256 signature, claims, tenant);
 * - the authorization transform (`pruneOperation`) for each benchmark operation, with the document
 *   already parsed and validated (Apollo's document cache), warm (the pruned operation cached per
 *   document and caller scopes, what saturation sees) and cold (a new document each time: the first
 *   request of a query text), for a caller with every scope and for one with `finance:read` only.
 * `npm run bench` runs it as one section; `npm run bench:auth` runs it alone.
 */

export interface AuthOverheadReport {
  readonly authenticateCachedUs: number;
  readonly authenticateFirstUs: number;
  readonly operations: readonly {
    readonly name: string;
    readonly authorizeWarmUs: number;
    readonly authorizeColdUs: number;
    readonly authorizeWarmFinanceOnlyUs: number;
    /** What a request pays at saturation: cached token + warm transform. */
    readonly totalUs: number;
  }[];
}

const ISSUER = 'https://bench.issuer.example/';
const AUDIENCE = 'finance-gateway-bench';
const TENANT = 'alchemist-media';

async function mint(privateKey: CryptoKey, subject: string, scopes: readonly string[]): Promise<string> {
  return new SignJWT({ tenant: TENANT, scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

/** Mean µs per call of `run` over `iterations` calls, after `warmup` calls. */
async function microseconds(iterations: number, run: (index: number) => unknown, warmup = Math.min(1_000, iterations)): Promise<number> {
  for (let index = 0; index < warmup; index += 1) await run(index);
  const started = performance.now();
  for (let index = 0; index < iterations; index += 1) await run(warmup + index);
  return ((performance.now() - started) * 1_000) / iterations;
}

export async function measureAuthOverhead(): Promise<AuthOverheadReport> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-auth-overhead-')), 'issuer.pem');
  writeFileSync(keyFile, await exportSPKI(publicKey));
  const config = loadConfig({ NODE_ENV: 'production', UPSTREAM_SIMULATORS: 'true', PUBLIC_BASE_URL: 'https://bench.example', IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_PUBLIC_KEY_FILE: keyFile, TENANT_ID: TENANT });
  const tenants = new TenantRegistry([
    { id: TENANT, displayName: TENANT, fourEyes: true, credentials: { iqm: { token: 'unused', organizationWorkspaceId: '200001' }, intact: null, refrens: null, iqmetrix: null } },
  ]);
  const authenticator = await Authenticator.create(config.auth, tenants);

  const token = await mint(privateKey, 'bench-client', ALL_SCOPES);
  const headers = { authorization: `Bearer ${token}`, 'apollographql-client-name': 'bench' };
  const authenticateCachedUs = await microseconds(50_000, () => authenticator.authenticate(headers));
  // Every token distinct (a new subject each): each one is verified from scratch.
  const firstTokens = await Promise.all(Array.from({ length: 1_200 }, (_, index) => mint(privateKey, `client-${index}`, ALL_SCOPES)));
  const authenticateFirstUs = await microseconds(1_000, (index) => authenticator.authenticate({ authorization: `Bearer ${firstTokens[index]!}` }), 200);

  const schema = buildSchema();
  const everyScope = await authenticator.authenticate(headers);
  const financeOnly: Caller = { ...everyScope, scopes: new Set(['finance:read']) };
  const operations = [];
  for (const operation of BENCH_OPERATIONS) {
    const prepared = (): { document: DocumentNode; definition: OperationDefinitionNode } => {
      const document = parse(operation.query);
      const errors = validate(schema, document);
      if (errors.length > 0) throw new Error(`${operation.name}: ${errors[0]!.message}`);
      return { document, definition: getOperationAST(document)! };
    };
    const { document, definition } = prepared();
    const subject = authorizationSubjectOf(everyScope);
    const financeSubject = authorizationSubjectOf(financeOnly);
    const authorizeWarmUs = await microseconds(50_000, () => pruneOperation(schema, document, definition, operation.variables, authorizationSubjectOf(everyScope)));
    const authorizeWarmFinanceOnlyUs = await microseconds(50_000, () => pruneOperation(schema, document, definition, operation.variables, financeSubject));
    // A new document object each time misses the cache: the transform itself (parsing excluded).
    const fresh = Array.from({ length: 2_200 }, () => prepared());
    const authorizeColdUs = await microseconds(2_000, (index) => pruneOperation(schema, fresh[index]!.document, fresh[index]!.definition, operation.variables, subject), 200);
    operations.push({ name: operation.name, authorizeWarmUs, authorizeColdUs, authorizeWarmFinanceOnlyUs, totalUs: authenticateCachedUs + authorizeWarmUs });
  }
  return { authenticateCachedUs, authenticateFirstUs, operations };
}

export function printAuthOverhead(report: AuthOverheadReport): void {
  const us = (value: number) => `${value.toFixed(2)} µs`.padStart(11);
  console.log('\nAuthentication and authorization overhead per operation (in-process, target < 100 µs at saturation):');
  console.log(`  authenticate, repeated token (cached): ${us(report.authenticateCachedUs)}`);
  console.log(`  authenticate, first sight of a token:  ${us(report.authenticateFirstUs)}  (ES256 verification, once per token per minute)`);
  console.log(`  ${'operation'.padEnd(30)} ${'authorize warm'.padStart(15)} ${'finance:read'.padStart(13)} ${'cold'.padStart(11)} ${'total warm'.padStart(11)}`);
  for (const operation of report.operations) {
    console.log(`  ${operation.name.padEnd(30)} ${us(operation.authorizeWarmUs).padStart(15)} ${us(operation.authorizeWarmFinanceOnlyUs).padStart(13)} ${us(operation.authorizeColdUs)} ${us(operation.totalUs)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await measureAuthOverhead();
  printAuthOverhead(report);
  const file = path.resolve('bench/results/auth-overhead.json');
  mkdirSync(path.dirname(file), { recursive: true });
  // Other processes on the machine distort every figure: the 1-minute load average goes with them.
  const machine = { cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  writeFileSync(file, `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, machine, ...report }, null, 2)}\n`);
  console.log(`[bench] wrote ${path.relative(process.cwd(), file)}`);
}
