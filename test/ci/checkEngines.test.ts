import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineMismatches } from '../../.ci/check-engines.js';

describe('CI: engines:check', () => {
  const root = mkdtempSync(join(tmpdir(), 'engines-check-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function install(location: string, manifest: Record<string, unknown>): void {
    mkdirSync(join(root, location), { recursive: true });
    writeFileSync(join(root, location, 'package.json'), JSON.stringify(manifest));
  }

  it('reports every installed package, scoped and nested ones included, whose engines.node excludes the running Node', () => {
    install('node_modules/fine', { name: 'fine', version: '1.0.0', engines: { node: '>=18' } });
    install('node_modules/no-engines', { name: 'no-engines', version: '1.0.0' });
    install('node_modules/@scope/too-new', { name: '@scope/too-new', version: '2.0.0', engines: { node: '>=22.15.0' } });
    install('node_modules/fine/node_modules/nested', { name: 'nested', version: '0.1.0', engines: { node: '^22 || >=24' } });
    install('node_modules/.bin-like', { name: 'hidden', version: '1.0.0', engines: { node: '>=99' } });
    install('node_modules/unparsable', { name: 'unparsable', version: '1.0.0', engines: { node: 'latest please' } });

    expect(engineMismatches(root, 'v20.20.2')).toEqual([
      { location: 'node_modules/@scope/too-new', name: '@scope/too-new', version: '2.0.0', required: '>=22.15.0' },
      { location: 'node_modules/fine/node_modules/nested', name: 'nested', version: '0.1.0', required: '^22 || >=24' },
    ]);
    expect(engineMismatches(root, 'v24.1.0')).toEqual([]);
  });
});
