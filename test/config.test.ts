import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { CustomerDirectory, CustomerDirectoryError } from '../src/directory/index.js';
import { DEMO_DIRECTORY_FILE } from '../src/embedded.js';

describe('Config: environment validation', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, upstreamTimeoutMs: 10_000, upstreamConnections: 32, iqm: { baseUrl: null, currencyCode: 'USD' } });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', IQM_BASE_URL: 'ftp://nope', IQMETRIX_COMPANY_ID: '-4', UPSTREAM_TIMEOUT_MS: '5' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'IQM_BASE_URL', 'IQMETRIX_COMPANY_ID', 'UPSTREAM_TIMEOUT_MS']) expect(problems).toContain(name);
  });

  it('refuses production without a durable idempotency store unless volatile keys are explicitly accepted', () => {
    const production = { NODE_ENV: 'production', AUTH_DISABLED: 'true' };
    expect(() => loadConfig(production)).toThrow(/REDIS_URL: required with NODE_ENV=production[^]*IDEMPOTENCY_ACCEPT_VOLATILE_KEYS=true/);
    expect(() => loadConfig({ ...production, IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'false' })).toThrow(/REDIS_URL/);
    expect(loadConfig({ ...production, REDIS_URL: 'redis://127.0.0.1:6379' }).idempotency).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', volatileKeysAccepted: false });
    expect(loadConfig({ ...production, IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true' }).idempotency).toMatchObject({ redisUrl: null, volatileKeysAccepted: true });
    // Outside production the in-memory store stays the default, bounded.
    expect(loadConfig({}).idempotency).toMatchObject({ redisUrl: null, memoryMaxKeys: 100_000, reconcileDelayMs: 5_000 });
    expect(() => loadConfig({ IDEMPOTENCY_MEMORY_MAX_KEYS: '0', IDEMPOTENCY_RECONCILE_DELAY_MS: 'soon' })).toThrow(/IDEMPOTENCY_MEMORY_MAX_KEYS[^]*IDEMPOTENCY_RECONCILE_DELAY_MS/);
  });

  it('requires IQM service credentials in pairs', () => {
    expect(() => loadConfig({ IQM_TOKEN: 'secret' })).toThrow(/IQM_OW_ID/);
  });
});

describe('Directory: customer directory files', () => {
  const defaults = { iqmetrixCurrencyCode: 'CAD' };

  it('loads the demo YAML and a JSON file', () => {
    expect(CustomerDirectory.fromFile(DEMO_DIRECTORY_FILE, defaults).customers.map((customer) => customer.key)).toEqual([
      'northwind',
      'contoso',
      'fabrikam',
      'tailspin',
      'harbor-marker',
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'directory-')), 'customers.json');
    writeFileSync(file, JSON.stringify({ customers: [{ key: 'acme', displayName: 'Acme', intact: { accountCode: 'CUS9' } }] }));
    const directory = CustomerDirectory.fromFile(file, defaults);
    expect(directory.bySourceId('INTACT', 'CUS9')?.displayName).toBe('Acme');
  });

  it('reports every problem of an invalid directory at once', () => {
    const attempt = () =>
      CustomerDirectory.fromData(
        {
          customers: [
            { key: 'a', displayName: 'A', iqm: { workspaceId: 1 }, iqmetrix: { companyId: 1, customerId: 'not-a-guid' } },
            { key: 'b', displayName: 'B', refrens: { businessUrlKey: 'x', invoices: [{ invoiceId: 'i', number: 'n', total: '1', currencyCode: 'XXQ' }] } },
          ],
        },
        defaults,
      );
    expect(attempt).toThrow(CustomerDirectoryError);
    expect(attempt).toThrow(/customers\.0\.iqmetrix\.customerId[\s\S]*customers\.1\.refrens\.invoices\.0\.currencyCode/);
  });

  it('refuses one identity claimed by two customers', () => {
    expect(() =>
      CustomerDirectory.fromData(
        { customers: [{ key: 'a', displayName: 'A', iqm: { workspaceId: 7 } }, { key: 'b', displayName: 'B', iqm: { workspaceId: 7 } }] },
        defaults,
      ),
    ).toThrow(/IQM 7 is claimed by both "a" and "b"/);
  });
});
