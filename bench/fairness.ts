import { toGlobalId } from '../src/domain/globalId.js';
import type { BenchAuth } from './auth.js';
import { benchGatewayEnv, startBenchUpstreams, writeTenantsFile } from './environment.js';
import { startGateway, type LoadGenerator } from './processes.js';
import type { LoadResult } from './loadGenerator.js';

/**
 * The fairness scenario (issue 13), run alone by `npm run bench -- --only fairness`:
 * a victim tenant (blue-harbor) sends an ordinary operation (its customer's balance, finance details
 * and credit summary: 3 IQM calls in one wave) from one client, measured quiet and while three
 * clients of another tenant (alchemist-media) send heavy `nodes(ids:)` operations back to back (50
 * IQM invoices with their payment details: 51 IQM calls each, within MAX_UPSTREAM_CALLS). Every IQM
 * call takes `latencyMs`. Measured twice under load: with the default tenant share of the IQM
 * bulkhead (50 %), and with shares off (100 %) for comparison. Target: victim p99 under load within
 * 2 × its quiet p99.
 */

export interface FairnessOptions {
  readonly auth: BenchAuth;
  readonly generator: LoadGenerator;
  readonly latencyMs: number;
  readonly durationMs: number;
  readonly log: (message: string) => void;
}

export interface FairnessResult {
  readonly latencyMsPerUpstreamCall: number;
  readonly quiet: VictimFigures;
  readonly withShares: LoadedFigures;
  readonly withoutShares: LoadedFigures;
  readonly target: { readonly p99WithinTwiceQuiet: boolean };
}

interface VictimFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly failed: number;
}

interface LoadedFigures {
  readonly tenantSharePercent: number;
  readonly victim: VictimFigures;
  readonly heavy: { readonly throughput: number; readonly p50Ms: number; readonly ok: number; readonly failed: number };
}

const VICTIM = JSON.stringify({
  query: 'query Victim($id: ID!) { customer(id: $id) { availableBalance { amount } financeDetails { balance { amount } } creditSummary { available { amount } } } }',
  variables: { id: toGlobalId('Customer', 'DIRECTORY', 'harbor-marker') },
});

export async function runFairness(options: FairnessOptions): Promise<FairnessResult> {
  const { auth, generator, latencyMs, durationMs, log } = options;
  const embedded = await startBenchUpstreams(latencyMs);
  try {
    const invoiceIds = [...embedded.iqm!.state.invoices.values()]
      .filter((invoice) => invoice.owId === 200101)
      .slice(0, 50)
      .map((invoice) => toGlobalId('IqmInvoice', 'IQM', `${invoice.owId}:${invoice.invoiceId}`));
    const heavy = JSON.stringify({
      query: 'query Heavy($ids: [ID!]!) { nodes(ids: $ids) { ... on IqmInvoice { number total { amount } paymentDetails { __typename } } } }',
      variables: { ids: invoiceIds },
    });
    const tenantsFile = writeTenantsFile(embedded.demoTenants);
    const victimAuthorization = await auth.authorizationFor('blue-harbor', 'victim');
    const heavyAuthorization = await auth.authorizationFor('alchemist-media', 'heavy');

    const scenario = async (sharePercent: number, loaded: boolean) => {
      const gateway = await startGateway({
        env: benchGatewayEnv({
          auth,
          upstreams: embedded,
          tenantsFile,
          auditDataDir: 'memory://',
          // Budgets are off (bench/environment.ts): this measures the bulkhead, not the rate limits.
          extra: { UPSTREAM_TENANT_SHARE_PERCENT: String(sharePercent) },
        }),
      });
      try {
        const base = { url: gateway.url, mode: 'latency' as const };
        await generator.run({ ...base, body: VICTIM, authorization: victimAuthorization, durationMs: 500 });
        if (!loaded) return { victim: await generator.run({ ...base, body: VICTIM, authorization: victimAuthorization, durationMs }), heavy: null };
        // The heavy clients start first and run past the victim's measurement on both sides.
        const heavyRun = generator.run({ url: gateway.url, mode: 'throughput', connections: 3, body: heavy, authorization: heavyAuthorization, durationMs: durationMs + 2_000 });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const victim = await generator.run({ ...base, body: VICTIM, authorization: victimAuthorization, durationMs });
        return { victim, heavy: await heavyRun };
      } finally {
        await gateway.stop();
      }
    };

    log(`fairness: victim quiet (IQM answering after ${latencyMs} ms)`);
    const quiet = await scenario(50, false);
    log(`  victim p50 ${quiet.victim.p50Ms.toFixed(1)} ms, p99 ${quiet.victim.p99Ms.toFixed(1)} ms`);
    log('fairness: victim with three heavy callers of another tenant, tenant share 50 %');
    const shared = await scenario(50, true);
    log(`  victim p50 ${shared.victim.p50Ms.toFixed(1)} ms, p99 ${shared.victim.p99Ms.toFixed(1)} ms; heavy ${shared.heavy!.throughput.toFixed(1)} ops/s`);
    log('fairness: the same without shares (100 %), for comparison');
    const unshared = await scenario(100, true);
    log(`  victim p50 ${unshared.victim.p50Ms.toFixed(1)} ms, p99 ${unshared.victim.p99Ms.toFixed(1)} ms; heavy ${unshared.heavy!.throughput.toFixed(1)} ops/s`);
    return {
      latencyMsPerUpstreamCall: latencyMs,
      quiet: figures(quiet.victim),
      withShares: { tenantSharePercent: 50, victim: figures(shared.victim), heavy: heavyFigures(shared.heavy!) },
      withoutShares: { tenantSharePercent: 100, victim: figures(unshared.victim), heavy: heavyFigures(unshared.heavy!) },
      target: { p99WithinTwiceQuiet: shared.victim.p99Ms <= 2 * quiet.victim.p99Ms },
    };
  } finally {
    await embedded.stop();
  }
}

function figures(result: LoadResult): VictimFigures {
  return { p50Ms: round(result.p50Ms), p99Ms: round(result.p99Ms), ok: result.ok, failed: result.failed };
}

function heavyFigures(result: LoadResult) {
  return { throughput: round(result.throughput), p50Ms: round(result.p50Ms), ok: result.ok, failed: result.failed };
}


function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
