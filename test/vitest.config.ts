import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry (the package has no "exports" map) for Apollo, graphql-tools and
    // our own code alike; Vite would pick its ESM entry for files it transforms. Two copies of graphql-js
    // break `instanceof` checks between them, so the tests load the one copy production loads.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Speed on the 2-core CI machines, measured (README, "Tests"): every file imports the whole gateway
    // (Apollo Server, OpenTelemetry, Fastify, graphql-js); isolated, that import is repeated per file
    // and was 40 % of the run. Files share their worker's module cache instead, so each must leave
    // nothing running behind it (stack.close() stops Apollo Server, pools, stores and exporters).
    isolate: false,
    // Vitest's default is one worker per core minus one, which is one here, while the suites mostly
    // wait on sockets, timers and child processes. Two keep both cores busy; three were faster on an
    // idle machine but starved the process-spawning suites into timeouts on a loaded one.
    maxWorkers: 2,
  },
});
