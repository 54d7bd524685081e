import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { DevIssuer } from './devIssuer.js';
import { ALL_SCOPES, SCOPES } from './scopes.js';

/**
 * `npm run token -- --tenant alchemist-media --scopes "finance:read payments:write" [--subject dana] [--ttl 3600]`:
 * prints a bearer token of the development issuer, which a gateway on the embedded default accepts.
 */
const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'alchemist-media' },
    scopes: { type: 'string', default: ALL_SCOPES.join(' ') },
    subject: { type: 'string', default: 'developer' },
    ttl: { type: 'string', default: '43200' },
    header: { type: 'boolean', default: false },
  },
});
const scopes = values.scopes.split(/[\s,]+/).filter(Boolean);
const unknown = scopes.filter((scope) => !(scope in SCOPES));
if (unknown.length > 0) {
  process.stderr.write(`unknown scope(s): ${unknown.join(', ')}; known: ${ALL_SCOPES.join(', ')}\n`);
  process.exit(2);
}
if (!/^\d+$/.test(values.ttl)) {
  process.stderr.write('--ttl takes seconds\n');
  process.exit(2);
}
const config = loadConfig();
const issuer = await DevIssuer.open(config.auth.devKeyFile ?? undefined);
const token = await issuer.mint({ tenant: values.tenant, subject: values.subject, scopes, ttlSeconds: Number(values.ttl), tenantClaim: config.auth.policy.tenantClaim });
process.stdout.write(values.header ? `{"Authorization": "Bearer ${token}"}\n` : `${token}\n`);
