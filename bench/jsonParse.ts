import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parse as losslessParse } from 'lossless-json';
import { parseExactJson } from '../src/upstreams/exactJson.js';

/**
 * Micro-benchmark: what reading upstream JSON exactly (src/upstreams/exactJson.ts) costs against
 * JSON.parse, on an IQM payment list (A35) of 100 rows, the largest body the gateway reads often.
 *
 *   npm run bench:json            # about 20 s; writes bench/results/json-parse.json
 *
 * Cases: JSON.parse (the old reader, rounds long amounts); parseExactJson on a body with no number
 * longer than 15 digits (the usual case: the probe scan for a run of 16+ digits, then JSON.parse);
 * parseExactJson on the same body with one 16-digit amount (the lossless path); lossless-json for
 * every body (the alternative not taken); and, where the runtime has it (Node 22+), JSON.parse with a
 * source-text reviver that keeps long numbers' digits (the other reading the issue names).
 */

function paymentList(rows: number, longAmount: boolean): string {
  const data = Array.from({ length: rows }, (_, index) => ({
    isPaymentInitiatorOrg: index % 2 === 0,
    paymentId: 9000 + index,
    createdAt: 1632295016000 + index * 1000,
    createdByUserEmail: `user${index}@example.com`,
    createdByUserProfile: 'https://iqm-web-assets.example/avatar/JO.svg',
    paymentDate: 1632076200000 + index,
    paymentAmount: 1000 + index + 0.25,
    paymentStatus: 'Paid',
    paymentMode: 'Cheque',
    paymentType: 'As Fund',
    invoiceId: 0,
    transactionId: `TX-${index}`,
    modifiedAt: 1632295016000,
    bankName: 'Chase',
    refundReason: null,
  }));
  const text = JSON.stringify({ success: true, data: { data, totalRecords: rows, filteredRecords: rows } });
  return longAmount ? text.replace('"paymentAmount":1000.25', '"paymentAmount":99999999999999.99') : text;
}

/** A reviver's third argument on runtimes with JSON.parse source text access (V8 12+, Node 22+). */
interface ReviverContext {
  readonly source?: string;
}
type SourceReviver = (this: unknown, key: string, value: unknown, context?: ReviverContext) => unknown;

/** JSON.parse keeping the digits of numbers a double cannot hold, or null where the runtime gives no source text. */
function sourceTextParse(): ((text: string) => unknown) | null {
  const probe: SourceReviver = (_key, value, context) => (context?.source === undefined ? value : context.source);
  const parse = JSON.parse as (text: string, reviver: SourceReviver) => unknown;
  if ((parse('[1.0]', probe) as unknown[])[0] !== '1.0') return null;
  const keep: SourceReviver = (_key, value, context) =>
    typeof value === 'number' && context?.source !== undefined && String(value) !== context.source && !Number.isSafeInteger(value) ? context.source : value;
  return (text) => parse(text, keep);
}

function measure(name: string, text: string, parse: (text: string) => unknown): { name: string; microsPerBody: number } {
  for (let i = 0; i < 500; i += 1) parse(text);
  const iterations = 3000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) parse(text);
  const micros = Number(process.hrtime.bigint() - started) / 1000 / iterations;
  return { name, microsPerBody: Math.round(micros * 10) / 10 };
}

const usual = paymentList(100, false);
const long = paymentList(100, true);
const loadBefore = loadavg()[0]!;
const results = [
  measure('JSON.parse', usual, (text) => JSON.parse(text) as unknown),
  measure('parseExactJson, no long number (fast path)', usual, parseExactJson),
  measure('parseExactJson, one 16-digit amount (lossless path)', long, parseExactJson),
  measure('lossless-json for every body', usual, (text) => losslessParse(text)),
];
const withSource = sourceTextParse();
if (withSource) results.push(measure('JSON.parse with a source-text reviver', usual, withSource));
const base = results[0]!.microsPerBody;
console.log(`IQM A35 page of 100 rows, ${(usual.length / 1024).toFixed(1)} KiB, Node ${process.version}, load average ${loadBefore.toFixed(1)}`);
for (const result of results) console.log(`${result.name.padEnd(52)} ${String(result.microsPerBody).padStart(8)} µs/body  ×${(result.microsPerBody / base).toFixed(2)}`);
if (!withSource) console.log('JSON.parse with a source-text reviver: not available on this runtime (Node 22+)');
writeFileSync(
  new URL('./results/json-parse.json', import.meta.url),
  `${JSON.stringify(
    {
      node: process.version,
      bodyBytes: usual.length,
      loadAverage: Math.round(loadBefore * 10) / 10,
      results: results.map((result) => ({ ...result, timesJsonParse: Math.round((result.microsPerBody / base) * 100) / 100 })),
      sourceTextReviver: withSource ? 'measured' : 'not available on this runtime',
    },
    null,
    2,
  )}\n`,
);
