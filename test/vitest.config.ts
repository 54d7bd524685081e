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
  },
});
