import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * The SHOULD and MAY audits of the GraphQL-over-HTTP spec the gateway does not meet, each on
 * purpose. A new failure (or one of these passing) fails the last test, so the list stays true.
 */
const ALLOWED_FAILURES: ReadonlyMap<string, string> = new Map([
  // Apollo Server answers 400 to a request error whatever the Accept header; the spec's 200 is for
  // legacy `application/json` clients only. The `application/graphql-response+json` audits (400) pass.
  ['572B', 'SHOULD use 200 on a parse failure with application/json: Apollo Server answers 400 (limits tests rely on it)'],
  ['FDE2', 'SHOULD use 200 on a validation failure with application/json: Apollo Server answers 400'],
  ['7B9B', 'SHOULD use 200 on a variable coercion failure with application/json: Apollo Server answers 400'],
  // CSRF prevention: a GET without `apollo-require-preflight` (or another non-simple header) is refused,
  // and the audits send plain GETs.
  ['5A70', 'MAY accept GET with a query string: refused without a preflight header (CSRF prevention)'],
  ['D6D5', 'MAY accept GET with variables (graphql-response+json): refused without a preflight header (CSRF prevention)'],
  ['6A70', 'MAY accept GET with variables (application/json): refused without a preflight header (CSRF prevention)'],
]);

describe('Security: graphql-http server audits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  // Every audit request carries the test caller's token: the audits are about the GraphQL over HTTP protocol.
  const audits = serverAudits({
    url: () => stack.url,
    fetchFn: (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', stack.auth['authorization']!);
      return fetch(input, { ...init, headers });
    },
  });
  const failed = new Map<string, string>();
  let mustPassed = 0;

  for (const audit of audits) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      if (result.status === 'ok') {
        if (audit.name.startsWith('MUST')) mustPassed += 1;
        return;
      }
      failed.set(audit.id, `${audit.name}: ${result.reason}`);
      expect(audit.name.startsWith('MUST'), `${audit.id} ${audit.name}: ${result.reason}`).toBe(false);
      expect(ALLOWED_FAILURES.has(audit.id), `${audit.id} ${audit.name} fails (${result.reason}) and is not in the allow-list`).toBe(true);
    });
  }

  it('passes every MUST audit and fails exactly the allowed SHOULD/MAY audits', () => {
    const mustCount = audits.filter((audit) => audit.name.startsWith('MUST')).length;
    console.info(
      `graphql-http audits: ${audits.length} in all, ${mustPassed}/${mustCount} MUST passed; not met:\n` +
        [...failed].map(([id, reason]) => `  ${id} ${reason} — why: ${ALLOWED_FAILURES.get(id) ?? 'NOT ALLOWED'}`).join('\n'),
    );
    expect(mustCount).toBeGreaterThan(0);
    expect(mustPassed).toBe(mustCount);
    expect([...failed.keys()].sort()).toEqual([...ALLOWED_FAILURES.keys()].sort());
  });
});
