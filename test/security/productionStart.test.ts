import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { freePort } from '../helpers/net.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every upstream named, authentication explicitly off: what is left to check is the URLs. */
const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_DISABLED: 'true',
  IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true',
  PUBLIC_BASE_URL: 'https://finance.example.com',
  IQM_BASE_URL: 'http://127.0.0.1:9/api/v3/fa',
  INTACT_BASE_URL: 'http://127.0.0.1:9',
  REFRENS_BASE_URL: 'http://127.0.0.1:9',
  IQMETRIX_BASE_URL: 'http://127.0.0.1:9/v1',
};

/** Whether anything accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('Security: no invented data in production', () => {
  it('refuses a production configuration that leaves an upstream URL unset, naming it in one line', () => {
    const { INTACT_BASE_URL: _unset, ...missingIntact } = PRODUCTION;
    expect(() => loadConfig(missingIntact)).toThrow(ConfigError);
    try {
      loadConfig(missingIntact);
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^INTACT_BASE_URL: required with NODE_ENV=production/)]);
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
    expect(loadConfig(PRODUCTION).simulatorsRequested).toBe(false);
    expect(loadConfig({ ...missingIntact, UPSTREAM_SIMULATORS: 'true' }).simulatorsRequested).toBe(true);
    const { PUBLIC_BASE_URL: _noBase, ...missingBase } = PRODUCTION;
    expect(() => loadConfig(missingBase)).toThrow(/PUBLIC_BASE_URL: required with NODE_ENV=production/);
  });

  it('stops the process with one line naming a misspelled upstream URL, before a simulator or the listener starts', async () => {
    const port = await freePort();
    const { INTACT_BASE_URL: intact, ...rest } = PRODUCTION;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      // The typo seen in the field: INTACT_BASEURL instead of INTACT_BASE_URL.
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...rest, INTACT_BASEURL: intact, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: INTACT_BASE_URL: required with NODE_ENV=production/);
    expect(stdout).not.toContain('simulator');
    expect(await listening(port)).toBe(false);
  });

  it('serves the simulators in production only when UPSTREAM_SIMULATORS=true asks, and says so at error level', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_ENV: 'production', AUTH_DISABLED: 'true', AUTH_DISABLED_TENANT: 'alchemist-media', PUBLIC_BASE_URL: 'https://finance.example.com', UPSTREAM_SIMULATORS: 'true', IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true', AUDIT_DATA_DIR: 'memory://', LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines: { level: number; msg: string }[] = [];
      for await (const text of createInterface({ input: child.stdout })) {
        const line = JSON.parse(text) as { level: number; msg: string };
        lines.push(line);
        if (line.msg.startsWith('Gateway ready')) break;
      }
      const loud = lines.find((line) => line.msg.includes('INVENTED'));
      expect(loud).toMatchObject({ level: 50 });
      expect(loud!.msg).toContain('IQM, INTACT, REFRENS, IQMETRIX');
      expect(await listening(port)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
