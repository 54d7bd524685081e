import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignJWT, type JWK } from 'jose';
import { OTHER_TEST_TENANT, startTestIssuer, type TestIssuer } from '../helpers/auth.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Every way a caller can present bad credentials, tried against every route that needs a caller:
 * each is HTTP 401 with `WWW-Authenticate: Bearer error="invalid_token"`, one UNAUTHENTICATED
 * error, and not a single upstream call. Tokens are real JWTs; the issuer's keys are served over HTTP.
 */

/** An operation that would read from every upstream and move money if it ran. */
const READ_EVERYTHING = `{ organization { availableBalance { amount } } customers(first: 4) { nodes { balances { outstanding { amount } } ledger(first: 1) { totalCount } } } }`;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function forgeries(stack: TestStack, issuer: TestIssuer): Promise<Record<string, string | undefined>> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer.issuer, aud: issuer.audience, sub: 'mallory', tenant: 'alchemist-media', scope: 'finance:read payments:write', iat: now, exp: now + 600 };
  const valid = await issuer.mint();
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  // The issuer's public key, as anyone can fetch it, used as an HMAC secret (the classic algorithm confusion).
  const jwks = (await (await fetch(issuer.jwksUrl)).json()) as { keys: JWK[] };
  const publicPem = createPublicKey({ key: jwks.keys[0]! as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const hmacWithPublicKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0]!.kid!, typ: 'JWT' }).sign(new TextEncoder().encode(publicPem));
  const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
  return {
    'no Authorization header': undefined,
    'an empty Bearer': 'Bearer ',
    'Basic credentials': `Basic ${Buffer.from('admin:admin').toString('base64')}`,
    'garbage': 'Bearer garbage',
    'an expired token': `Bearer ${await issuer.mint({ expiresIn: -3600 })}`,
    'a token not yet valid': `Bearer ${await issuer.mint({ notBefore: 3600 })}`,
    'a token for another audience': `Bearer ${await issuer.mint({ audience: 'another-api' })}`,
    'a token of an untrusted issuer': `Bearer ${await issuer.mint({ issuer: 'https://evil.example/' })}`,
    'alg none': `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`,
    'HS256 signed with the issuer’s public key': `Bearer ${hmacWithPublicKey}`,
    'a tampered payload': `Bearer ${header}.${base64url({ ...claims, scope: 'refunds:approve' })}.${signature}`,
    'a tampered signature': `Bearer ${header}.${payload}.${flipped}`,
    'a token without a tenant claim': `Bearer ${await issuer.mint({ tenant: null })}`,
    'a token naming an unknown tenant': `Bearer ${await issuer.mint({ tenant: 'no-such-tenant' })}`,
    'a token signed by another key under the issuer’s kid': `Bearer ${await (await startStandaloneIssuer()).mint()}`,
  };
}

/** Another issuer with the same name: its keys are not the trusted issuer's. */
async function startStandaloneIssuer(): Promise<TestIssuer> {
  const other = await startTestIssuer();
  await other.close();
  return other;
}

describe('Authentication: the attack matrix', () => {
  let stack: TestStack;
  let tokens: Record<string, string | undefined>;
  const simulators = () => [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!];
  const callCount = () => simulators().reduce((sum, simulator) => sum + simulator.calls.length, 0);

  beforeAll(async () => {
    stack = await startStack();
    tokens = await forgeries(stack, stack.issuer!);
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    for (const simulator of simulators()) simulator.resetCalls();
  });

  it('a valid token is accepted (control)', async () => {
    const response = await stack.gql(READ_EVERYTHING);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(callCount()).toBeGreaterThan(0);
  });

  it('on /graphql, every bad credential is 401 + WWW-Authenticate + one UNAUTHENTICATED error, and nothing runs', async () => {
    for (const [name, authorization] of Object.entries(tokens)) {
      for (const document of [READ_EVERYTHING, `mutation { startPaypalPayment(input: { amount: "5" }) { paypalUrl } }`]) {
        const response = await fetch(stack.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
          body: JSON.stringify({ query: document }),
        });
        const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
        expect(response.status, name).toBe(401);
        expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer error="invalid_token"/);
        expect(body.data, name).toBeUndefined();
        expect(body.errors.map((error) => error.extensions.code), name).toEqual(['UNAUTHENTICATED']);
      }
      // A GET (persisted or not) is refused the same way.
      const get = await fetch(`${stack.url}?query=${encodeURIComponent('{ organization { workspaceId } }')}`, {
        headers: { 'apollo-require-preflight': 'true', ...(authorization === undefined ? {} : { authorization }) },
      });
      expect(get.status, `${name} (GET)`).toBe(401);
    }
    expect(callCount()).toBe(0);
  });

  it('on POST /uploads and GET /files/*, every bad credential is 401 + WWW-Authenticate + UNAUTHENTICATED, nothing stored or fetched', async () => {
    for (const [name, authorization] of Object.entries(tokens)) {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), 'proof.pdf');
      const upload = await fetch(`${stack.origin}/uploads`, {
        method: 'POST',
        headers: { 'apollo-require-preflight': 'true', ...(authorization === undefined ? {} : { authorization }) },
        body: form,
      });
      expect(upload.status, `${name} (upload)`).toBe(401);
      expect(upload.headers.get('www-authenticate'), name).toMatch(/^Bearer error="invalid_token"/);
      expect(((await upload.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');

      for (const path of ['/files/invoices/200101/5000.pdf', '/files/receipts/200101/1004.pdf']) {
        const file = await fetch(`${stack.origin}${path}`, { headers: authorization === undefined ? {} : { authorization } });
        expect(file.status, `${name} (${path})`).toBe(401);
        expect(file.headers.get('www-authenticate'), name).toMatch(/^Bearer error="invalid_token"/);
        expect(((await file.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      }
    }
    expect(callCount()).toBe(0);
  });

  it('scopes come from `scope` or, failing that, from `scp`', async () => {
    const scp = await stack.as({ extra: { scope: undefined, scp: ['finance:read'] } });
    const allowed = await stack.gql<{ organization: { workspaceId: number } }>(`{ organization { workspaceId } }`, {}, scp);
    expect(allowed.data?.organization.workspaceId).toBe(200001);
    const refused = await stack.gql(`mutation { startPaypalPayment(input: { amount: "5" }) { paypalUrl } }`, {}, scp);
    expect(refused.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
  });

  it('a token of the other tenant is accepted and bound to that tenant', async () => {
    const response = await stack.gql<{ organization: { workspaceId: number } }>(`{ organization { workspaceId } }`, {}, await stack.as({ tenant: OTHER_TEST_TENANT }));
    expect(response.data?.organization.workspaceId).toBe(300001);
  });
});

describe('Authentication: key rotation', () => {
  let stack: TestStack;
  let issuer: TestIssuer;
  const COOLDOWN_MS = 60_000;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    stack = await startStack({ issuer, env: { AUTH_JWKS_COOLDOWN_MS: String(COOLDOWN_MS) } });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await stack.close();
    await issuer.close();
  });

  it('an unknown kid refetches the JWKS at most once per cool-down; the rotated key is accepted once it is published and fetched', async () => {
    // Only the clock jose reads moves; timers stay real, so nothing here waits.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const ask = async (token: string) => (await stack.gql(`{ organization { workspaceId } }`, {}, { authorization: `Bearer ${token}` })).status;

    expect(await ask(await issuer.mint())).toBe(200);
    expect(issuer.jwksFetches).toBe(1);
    const beforeRotation = await issuer.mint({ subject: 'minted-before-rotation' });

    await issuer.rotate({ publish: false });
    const rotated = await issuer.mint();
    // Within the cool-down after the first fetch: refused, and the JWKS is not fetched again.
    for (let attempt = 0; attempt < 5; attempt += 1) expect(await ask(rotated)).toBe(401);
    expect(issuer.jwksFetches).toBe(1);

    // After the cool-down: one refetch; the key is still unpublished, so still refused, and a flood of
    // unknown-kid tokens does not turn into a flood of fetches.
    vi.setSystemTime(Date.now() + COOLDOWN_MS + 1_000);
    for (let attempt = 0; attempt < 5; attempt += 1) expect(await ask(rotated)).toBe(401);
    expect(issuer.jwksFetches).toBe(2);

    issuer.publishNewest();
    expect(await ask(rotated)).toBe(401);
    expect(issuer.jwksFetches).toBe(2);

    vi.setSystemTime(Date.now() + COOLDOWN_MS + 1_000);
    expect(await ask(rotated)).toBe(200);
    expect(issuer.jwksFetches).toBe(3);
    // Tokens of the previous key stay valid while the issuer still publishes it.
    expect(await ask(beforeRotation)).toBe(200);
    expect(issuer.jwksFetches).toBe(3);
    vi.useRealTimers();
  });
});
