import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

const STUDIO = 'https://studio.apollographql.com';

function preflight(url: string, origin: string, requestHeaders = 'content-type,authorization,apollographql-client-name') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });
}

describe('Exploration: CORS allow-list on /graphql', () => {
  describe('outside production, default origins', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => {
      await stack.close();
    });

    it("answers Studio's preflight with its origin, the asked headers and no credentials", async () => {
      const response = await preflight(stack.url, STUDIO);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(STUDIO);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('content-type,authorization,apollographql-client-name');
      // Callers authenticate with headers, never cookies: credentials stay off.
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toContain('Origin');
    });

    it("runs Studio's JSON POST (CSRF prevention lets application/json through) and marks the answer for its origin", async () => {
      const response = await stack.gql<{ customers: { nodes: { displayName: string }[] } }>(
        '{ customers(first: 1) { nodes { displayName } } }',
        undefined,
        { origin: STUDIO },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.customers.nodes).toEqual([{ displayName: 'Northwind Traders' }]);
      const raw = await fetch(stack.url, {
        method: 'POST',
        headers: { origin: STUDIO, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(raw.headers.get('access-control-allow-origin')).toBe(STUDIO);
    });

    it('gives an origin outside the list no Access-Control-Allow-Origin, on the preflight and on the request', async () => {
      const refused = await preflight(stack.url, 'https://evil.example');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      const post = await fetch(stack.url, {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('keeps CSRF prevention on: a simple cross-site GET without a preflight header is refused', async () => {
      const response = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: 'https://evil.example', ...stack.auth } });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('CSRF');
    });
  });

  describe('configured list, production', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startStack({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', CORS_ORIGINS: 'https://app.example.com' } });
    });
    afterAll(async () => {
      await stack.close();
    });

    it('allows exactly the configured origin, and no longer Studio', async () => {
      const allowed = await preflight(stack.url, 'https://app.example.com');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      const studio = await preflight(stack.url, STUDIO);
      expect(studio.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
