import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Starting src/main.ts through tsx takes seconds of CPU, many more on a loaded 2-core machine. */
const SPAWN_TIMEOUT_MS = 60_000;

interface LogLine {
  readonly msg: string;
  readonly [key: string]: unknown;
}

describe('Exploration: what `npm start` prints on the embedded default', () => {
  it('listens on loopback, prints JSON lines when piped, and names the Sandbox and GraphiQL URLs', async () => {
    const port = await freePort();
    // No HOST: the embedded default. Piped stdout: JSON, not pino-pretty.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: LogLine[] = [];
    const raw: string[] = [];
    const exited = once(child, 'exit');
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (text) => {
          raw.push(text);
          lines.push(JSON.parse(text) as LogLine);
          if (lines.some((line) => line.msg.startsWith('GraphiQL: '))) resolve();
        });
        void exited.then(() => reject(new Error(`the gateway exited:\n${raw.join('\n')}`)));
      });
      const url = `http://127.0.0.1:${port}/graphql`;
      expect(lines.find((line) => line.msg.startsWith('Gateway ready'))).toMatchObject({ url });
      expect(lines.find((line) => line.msg.startsWith('Apollo Sandbox: '))).toMatchObject({ msg: `Apollo Sandbox: ${url} (open in a browser; loads from Apollo's CDN)`, sandboxUrl: url });
      expect(lines.find((line) => line.msg.startsWith('GraphiQL: '))).toMatchObject({ msg: `GraphiQL: http://127.0.0.1:${port}/graphiql (self-hosted, works offline)`, graphiqlUrl: `http://127.0.0.1:${port}/graphiql` });
      const page = await fetch(`http://127.0.0.1:${port}/graphiql`);
      expect(page.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, SPAWN_TIMEOUT_MS);
});
