import { loadavg } from 'node:os';
import { fastDecoderOf } from '../src/upstreams/fastWire.js';
import { UpstreamHttpClient, type UpstreamRequest, type UpstreamResponse, type UpstreamCallObserver } from '../src/upstreams/http.js';
import { IntactLedgerPage } from '../src/upstreams/intact/wire.js';
import { envelope, IqmInvoiceList, IqmPaymentList } from '../src/upstreams/iqm/wire.js';
import { IqmetrixInvoice, IqmetrixInvoiceSummaryList } from '../src/upstreams/iqmetrix/wire.js';
import { RefrensPaymentList } from '../src/upstreams/refrens/wire.js';
import { startStack } from '../test/helpers/stack.js';
import { BENCH_OPERATIONS, BENCH_SEED } from './operations.js';

/**
 * Micro-benchmark of the wire decoders (issue 16, "fast paths beside zod"): runs benchmark
 * operations 2–5 once through a gateway on the seeded simulators, keeps every upstream body the
 * gateway read, and times each body's decode by its zod schema and by the schema's fast path
 * (src/upstreams/fastWire.ts), in this process.
 *
 *   npm run bench:wire               # about 20 s; the machine's load average is printed beside the figures
 */

interface Schema {
  safeParse(value: unknown): { success: boolean };
}

/** The schema each route's client decodes with (IQM answers inside their envelope). */
const SCHEMAS: Readonly<Record<string, { readonly name: string; readonly schema: Schema }>> = {
  '/invoice/list/{owId}': { name: 'IQM A19 invoice list', schema: envelope(IqmInvoiceList) },
  '/customer/payments/list': { name: 'IQM A34 customer payments', schema: envelope(IqmPaymentList) },
  '/payments/list': { name: 'IQM A35 organization payments', schema: envelope(IqmPaymentList) },
  '/CustomerLedger': { name: 'Intact B1 ledger page', schema: IntactLedgerPage },
  '/businesses/{urlKey}/invoices/{invoice}/payments': { name: 'Refrens C2 payments', schema: RefrensPaymentList },
  '/Companies({CompanyId})/InvoiceSummaries': { name: 'iQmetrix D1 summaries', schema: IqmetrixInvoiceSummaryList },
  '/Companies({CompanyId})/Invoices({InvoiceId})': { name: 'iQmetrix D2 invoice', schema: IqmetrixInvoice },
};

const bodies = new Map<string, unknown[]>();
const json = UpstreamHttpClient.prototype.json;
UpstreamHttpClient.prototype.json = async function (this: UpstreamHttpClient, request: UpstreamRequest, observe?: UpstreamCallObserver): Promise<UpstreamResponse> {
  const response = await json.call(this, request, observe);
  const list = bodies.get(request.route) ?? [];
  list.push(response.body);
  bodies.set(request.route, list);
  return response;
};

const stack = await startStack({ ...BENCH_SEED });
try {
  for (const operation of BENCH_OPERATIONS.slice(1, 5)) {
    const answer = await stack.gql(operation.query, { ...operation.variables });
    const problem = answer.errors?.[0]?.message ?? operation.check(answer.data);
    if (problem) throw new Error(`${operation.name}: ${problem}`);
  }
} finally {
  await stack.close();
}
UpstreamHttpClient.prototype.json = json;

/** Microseconds per call of `decode` over `values`: the best of five timed rounds of about 0.2 s, after a warm-up. */
function micros(values: readonly unknown[], decode: (value: unknown) => unknown): number {
  const round = (budgetNs: bigint): number => {
    const started = process.hrtime.bigint();
    let calls = 0;
    let elapsed = 0n;
    do {
      for (const value of values) decode(value);
      calls += values.length;
      elapsed = process.hrtime.bigint() - started;
    } while (elapsed < budgetNs);
    return Number(elapsed) / 1000 / calls;
  };
  round(200_000_000n);
  return Math.min(...Array.from({ length: 5 }, () => round(200_000_000n)));
}

console.log(`Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}: µs per body, decoded in this process`);
console.log(`${'body'.padEnd(32)} ${'bodies'.padStart(6)} ${'rows'.padStart(5)} ${'zod'.padStart(8)} ${'fast'.padStart(8)}`);
for (const [route, values] of bodies) {
  const known = SCHEMAS[route];
  if (!known) {
    console.log(`${route}: no schema listed here (${values.length} bodies)`);
    continue;
  }
  for (const value of values) if (!known.schema.safeParse(value).success) throw new Error(`${known.name}: a body its schema refuses`);
  const fast = fastDecoderOf(known.schema);
  const answered = fast ? values.filter((value) => fast(value) !== undefined).length : 0;
  const zod = micros(values, (value) => known.schema.safeParse(value));
  const fastMicros = fast && answered === values.length ? micros(values, fast).toFixed(1) : fast ? `${answered}/${values.length} taken` : '–';
  console.log(`${known.name.padEnd(32)} ${String(values.length).padStart(6)} ${String(rowsOf(values[0])).padStart(5)} ${zod.toFixed(1).padStart(8)} ${fastMicros.padStart(8)}`);
}

/** The rows of a list body (its first array found at the top, under `data`, `data.data` or a known key). */
function rowsOf(body: unknown): number | string {
  for (let value: unknown = body, depth = 0; depth < 3; depth += 1) {
    if (Array.isArray(value)) return value.length;
    if (typeof value !== 'object' || value === null) return '';
    const record = value as Record<string, unknown>;
    const array = ['Items', 'payments', 'value'].map((key) => record[key]).find(Array.isArray);
    if (array) return array.length;
    value = record['data'];
  }
  return '';
}
