/**
 * Runs npm scripts at the same time and fails when any fails: the static checks of `npm test` are
 * each single-threaded and partly waiting on disk and process start-up, so on two cores they finish
 * in about the time of the slowest one instead of the sum. Each script's output is printed in one
 * piece when it ends (never interleaved), with its duration, so a failure reads as if run alone.
 *
 *   tsx .ci/run-checks.ts engines:check codegen:check typecheck lint schema:check
 */
import { spawn } from 'node:child_process';

interface Outcome {
  readonly script: string;
  readonly code: number;
  readonly seconds: number;
}

function run(script: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: process.env['FORCE_COLOR'] ?? '0' } });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    const finish = (code: number) => {
      const seconds = (performance.now() - started) / 1000;
      const text = Buffer.concat(output).toString('utf8').trimEnd();
      process.stdout.write(`── ${script} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s\n${text ? `${text}\n` : ''}`);
      resolve({ script, code, seconds });
    };
    child.once('error', (error) => {
      output.push(Buffer.from(String(error)));
      finish(127);
    });
    child.once('close', (code) => finish(code ?? 1));
  });
}

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: tsx .ci/run-checks.ts <npm script>…\n');
  process.exit(2);
}
const outcomes = await Promise.all(scripts.map(run));
const failed = outcomes.filter((outcome) => outcome.code !== 0);
if (failed.length > 0) {
  process.stderr.write(`checks failed: ${failed.map((outcome) => outcome.script).join(', ')}\n`);
  process.exit(1);
}
