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
    // Workers stay at Vitest's default (cores - 1: one on these machines). Two or three were faster
    // on a quiet machine (64 s) but, with other engineers' jobs on the same two cores (load 16-23),
    // starved the CPU-heavy suites (fuzzing, 100 interleaved tenants, process shutdown) into timeouts.
  },
});
