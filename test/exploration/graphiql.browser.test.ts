import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_QUERY } from '../../src/exploration/firstQuery.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../.artifacts/', import.meta.url));

const QUERY = `query CustomerWithInvoices($system: SourceSystem!, $sourceId: String!) {
  customerBySourceId(system: $system, sourceId: $sourceId) {
    displayName
    sources
    invoices(first: 3) { nodes { source number status total { amount currencyCode } } }
  }
}`;
const VARIABLES = { system: 'IQM', sourceId: '200101' };

describe('Exploration: self-hosted GraphiQL in headless Chromium', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: run .ci/install-system-packages (it installs Debian's chromium package).`);
    }
    stack = await startStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('runs a customer query from the page, shows the gateway’s answer, and loads nothing from anywhere else', async () => {
    const expected = await stack.gql(QUERY, VARIABLES);
    expect(expected.errors).toBeUndefined();
    expect(expected.data).toMatchObject({ customerBySourceId: { displayName: 'Northwind Traders' } });

    // The browser sends the test caller's token with every request, as a header GraphiQL's user would set.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, extraHTTPHeaders: stack.auth });
    const requested: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // CSP violations are reported as DOM events, not requests: collect them in the page.
    // (Page scripts are strings: this project's type-check has no DOM types.)
    await page.addInitScript({
      content: `window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (event) => window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));`,
    });

    const search = new URLSearchParams({ query: QUERY, variables: JSON.stringify(VARIABLES) });
    await page.goto(`${stack.origin}/graphiql?${search.toString()}`);
    await page.locator('.graphiql-execute-button').click();
    const resultPane = page.locator('.graphiql-response');
    await resultPane.getByText('Northwind Traders').waitFor({ timeout: 10_000 });

    // The result editor is CodeMirror 5: its full text (not just the lines on screen) is its value.
    const shown = await page.evaluate<string>(`document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? ''`);
    expect(JSON.parse(shown)).toEqual({ data: expected.data });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}graphiql.png` });

    const violations = await page.evaluate<string[]>('window.cspViolations');
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((url) => new URL(url).origin !== stack.origin)).toEqual([]);
    // The assets come from the npm packages through the gateway, and the query went to /graphql.
    expect(requested.map((url) => new URL(url).pathname)).toEqual(
      expect.arrayContaining(['/graphiql/assets/graphiql.min.js', '/graphiql/assets/react.production.min.js', '/graphiql/assets/react-dom.production.min.js', '/graphiql/assets/graphiql.min.css', '/graphql']),
    );
    await page.close();
  });

  it('opens a first visit on the README’s finance query (not the generic welcome text), which runs without errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, extraHTTPHeaders: stack.auth });
    await page.goto(`${stack.origin}/graphiql`);
    await page.locator('.graphiql-execute-button').waitFor();
    const editor = await page.evaluate<string>(`document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue() ?? ''`);
    expect(editor).toBe(FIRST_QUERY);

    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText('Northwind Traders').waitFor({ timeout: 10_000 });
    const shown = JSON.parse(await page.evaluate<string>(`document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? ''`)) as Record<string, unknown>;
    expect(shown['errors']).toBeUndefined();
    expect(shown).toEqual({ data: (await stack.gql(FIRST_QUERY)).data });
    await page.close();
  });
});
