import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_QUERY } from '../../src/exploration/firstQuery.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import { interceptOutboundFetch, type OutboundFetch } from './outboundFetch.js';

async function openInBrowser(stack: TestStack) {
  const response = await fetch(stack.url, { headers: { accept: 'text/html' } });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

/** The configuration Apollo's (non-embedded) landing page script reads from `window.landingPage`. */
function landingPageConfig(html: string): unknown {
  const encoded = /window\.landingPage = "([^"]+)"/.exec(html)?.[1];
  return encoded === undefined ? undefined : JSON.parse(decodeURIComponent(encoded));
}

describe('Exploration: landing page on GET /graphql with accept: text/html', () => {
  let outbound: OutboundFetch;
  beforeAll(() => {
    outbound = interceptOutboundFetch();
  });
  afterAll(() => {
    outbound.restore();
  });

  describe('outside production', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => {
      await stack.close();
    });

    it('serves the embedded Apollo Sandbox, pointed at this endpoint', async () => {
      const page = await openInBrowser(stack);
      expect(page.status).toBe(200);
      expect(page.contentType).toContain('text/html');
      expect(page.body).toContain('<div id="embeddableSandbox"></div>');
      expect(page.body).toMatch(/<script nonce="[0-9a-f]+" src="https:\/\/embeddable-sandbox\.cdn\.apollographql\.com\/[^"]+embeddable-sandbox\.umd\.production\.min\.js/);
      expect(page.body).not.toContain('window.landingPage');
    });

    it('opens Sandbox on the README’s first query, and tells an offline browser to use /graphiql', async () => {
      const page = await openInBrowser(stack);
      const config = /var embeddedSandboxConfig = (\{.*\});/.exec(page.body)?.[1];
      expect(JSON.parse(config ?? '{}')).toMatchObject({ initialState: { document: FIRST_QUERY } });
      // The block shown until (or unless) the CDN script replaces the page.
      const fallback = /<div class="fallback">([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
      expect(fallback).toContain('Apollo Sandbox cannot be loaded');
      expect(fallback).toContain('<a href="graphiql">/graphiql</a>');
      expect(new URL('graphiql', stack.url).pathname).toBe('/graphiql');
      expect(page.body).not.toContain('it appears that you might be offline');
    });
  });

  describe('production with APOLLO_GRAPH_REF', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startStack({
        env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', APOLLO_KEY: 'service:finance-gateway:test-key', APOLLO_GRAPH_REF: 'finance-gateway@staging' },
      });
    });
    afterAll(async () => {
      await stack.close();
    });

    it("serves Apollo's production landing page for the graph ref (it links to Studio's Explorer), not Sandbox", async () => {
      const page = await openInBrowser(stack);
      expect(page.status).toBe(200);
      expect(page.contentType).toContain('text/html');
      expect(landingPageConfig(page.body)).toEqual({ isProd: true, footer: false, graphRef: 'finance-gateway@staging' });
      expect(page.body).not.toContain('embeddableSandbox');
    });

    it('serves no /graphiql in production', async () => {
      const response = await fetch(`${stack.origin}/graphiql`);
      expect(response.status).toBe(404);
    });
  });

  describe('production without a graph ref', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startStack({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent' } });
    });
    afterAll(async () => {
      await stack.close();
    });

    it('serves no landing page: the GET is an ordinary GraphQL request without a query', async () => {
      const page = await openInBrowser(stack);
      expect(page.status).toBe(400);
      expect(page.contentType).not.toContain('text/html');
      expect(page.body).not.toContain('apollographql.com');
    });
  });
});
