import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { prettyLogs } from '../src/observability/logger.js';
import { CustomerDirectory, CustomerDirectoryError } from '../src/directory/index.js';
import { DEMO_DIRECTORY_FILE } from '../src/embedded.js';

describe('Config: environment validation', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, upstreamTimeoutMs: 10_000, upstreamConnections: 64, iqm: { baseUrl: null, currencyCode: 'USD' } });
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

  it('listens on loopback while any upstream is simulated (demo credentials), on every interface when all are real, on HOST when set', () => {
    const real = { IQM_BASE_URL: 'https://iqm.example', INTACT_BASE_URL: 'https://intact.example', REFRENS_BASE_URL: 'https://refrens.example', IQMETRIX_BASE_URL: 'https://iqmetrix.example', AUTH_DISABLED: 'true' };
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ ...real, IQMETRIX_BASE_URL: '' }).host).toBe('127.0.0.1');
    expect(loadConfig(real).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...real, HOST: '10.0.0.7' }).host).toBe('10.0.0.7');
  });

  it('reads LOG_FORMAT, ADMIN_PORT and the trusted-documents variables, naming bad combinations', () => {
    expect(loadConfig({})).toMatchObject({ logFormat: 'auto', adminPort: null, trustedDocuments: { mode: 'open', files: [], redisKey: null } });
    expect(loadConfig({ LOG_FORMAT: 'json', ADMIN_PORT: '9464', TRUSTED_DOCUMENTS_FILES: 'a.json, b.json', REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({
      logFormat: 'json',
      adminPort: 9464,
      trustedDocuments: { mode: 'open', files: ['a.json', 'b.json'], redisKey: 'gateway:trusted-documents' },
    });
    expect(() => loadConfig({ LOG_FORMAT: 'xml', ADMIN_PORT: '70000', TRUSTED_DOCUMENTS_MODE: 'strict' })).toThrow(/ADMIN_PORT[\s\S]*LOG_FORMAT[\s\S]*TRUSTED_DOCUMENTS_MODE/);
    expect(() => loadConfig({ ADMIN_PORT: '4000' })).toThrow(/ADMIN_PORT: must differ from PORT/);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_MODE: 'enforce' })).toThrow(/TRUSTED_DOCUMENTS_MODE: enforce needs/);
  });

  it('refuses production without a durable idempotency store unless volatile keys are explicitly accepted', () => {
    // Everything else production asks for is given: what is left to check is the store.
    const production = { NODE_ENV: 'production', AUTH_DISABLED: 'true', UPSTREAM_SIMULATORS: 'true', PUBLIC_BASE_URL: 'https://finance.example.com' };
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

describe('Config: log format', () => {
  it('prints pretty lines only on a terminal outside production, unless LOG_FORMAT says otherwise', () => {
    expect(prettyLogs('auto', false, true)).toBe(true);
    expect(prettyLogs('auto', true, true)).toBe(false);
    expect(prettyLogs('auto', false, false)).toBe(false);
    expect(prettyLogs('json', false, true)).toBe(false);
    expect(prettyLogs('pretty', true, false)).toBe(true);
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
