import { readFileSync } from 'node:fs';
import { createBenchAuth } from './auth.js';
import { benchGatewayEnv, productionNodeFlags, startBenchUpstreams, writeTenantsFile } from './environment.js';
import { startGateway } from './processes.js';
import { BENCH_OPERATIONS } from './operations.js';

const auth = await createBenchAuth();
const upstreams = await startBenchUpstreams(0);
const env = benchGatewayEnv({ auth, upstreams, tenantsFile: writeTenantsFile(upstreams.demoTenants), auditDataDir: 'memory://', extra: { UPSTREAM_MAX_QUEUED: '100000' } });
const extra = (process.env.EXTRA_FLAGS ?? '').split(' ').filter(Boolean);
const gateway = await startGateway({ env, nodeFlags: [...productionNodeFlags(), ...extra] });
const show = async (label: string) => {
  const status = readFileSync(`/proc/${gateway.pid}/status`, 'utf8');
  const pick = (k: string) => status.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1];
  const metrics = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const lines = metrics.split('\n').filter((l) => /^nodejs_heap_space_size_(used|total)_bytes|^nodejs_heap_size|^nodejs_external/.test(l));
  console.log(label, 'RSS', pick('VmRSS'), 'HWM', pick('VmHWM'), 'anon', pick('RssAnon'), 'file', pick('RssFile'));
  for (const l of lines) { const [k, v] = l.split(' '); console.log('  ', k, (Number(v) / 1048576).toFixed(1)); }
};
await show('start');
for (const op of BENCH_OPERATIONS) {
  const body = JSON.stringify({ query: op.query, variables: op.variables });
  const res = await fetch(gateway.url, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: auth.authorization } });
  await res.text();
  const st = readFileSync(`/proc/${gateway.pid}/status`, 'utf8');
  console.log(op.name, st.match(/VmRSS:\s+(\d+)/)?.[1], st.match(/VmHWM:\s+(\d+)/)?.[1]);
}
await show('after one of each');
await gateway.stop();
await upstreams.stop();
