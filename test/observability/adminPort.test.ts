import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

async function get(url: string): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(url);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('Observability: ADMIN_PORT keeps /metrics and readiness details off the public port', () => {
  let stack: TestStack;
  let admin: string;

  beforeAll(async () => {
    stack = await startStack({ env: { ADMIN_PORT: '0' } });
    // The admin listener binds the public one's host (the stack's 127.0.0.1) on a port of its own.
    admin = stack.gateway.adminOrigin!;
    expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(admin).not.toBe(stack.origin);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('serves /metrics on the admin port, counting the public port’s operations, and not on the public port', async () => {
    expect((await stack.gql('{ customers(first: 1) { nodes { displayName } } }')).errors).toBeUndefined();
    const metrics = await get(`${admin}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toContain('text/plain');
    expect(metrics.text).toMatch(/^graphql_operations_total\{operation="anonymous",outcome="success"\} 1$/m);
    expect((await get(`${stack.origin}/metrics`)).status).toBe(404);
  });

  it('answers the public /readyz with its status alone, and the admin /readyz with the per-upstream report', async () => {
    const publicReady = await get(`${stack.origin}/readyz`);
    expect(publicReady.status).toBe(200);
    expect(JSON.parse(publicReady.text)).toEqual({ status: 'ready' });
    const adminReady = await get(`${admin}/readyz`);
    expect(adminReady.status).toBe(200);
    expect(JSON.parse(adminReady.text)).toMatchObject({ status: 'ready', config: 'loaded', failing: [], upstreams: expect.arrayContaining([expect.objectContaining({ system: 'IQM', reachable: true })]) });
    expect((await get(`${stack.origin}/healthz`)).status).toBe(200);
    expect((await get(`${admin}/healthz`)).status).toBe(200);
  });

  it('serves nothing else on the admin port: no GraphQL, no GraphiQL, no files', async () => {
    for (const path of ['/graphql', '/graphiql', '/uploads', '/files/iqm/invoices/1.pdf']) {
      expect((await get(`${admin}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${admin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).status).toBe(404);
  });
});
