import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ALL_SCOPES } from '../../src/auth/index.js';

/**
 * A token issuer for tests: its own ES256 keys, its JWKS served over real HTTP on a free loopback
 * port (the gateway fetches it with undici like any IdP's), and tokens minted on demand. Keys can be
 * rotated, and every JWKS fetch is counted.
 */
export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** The environment that points a gateway at this issuer. */
  readonly env: Record<string, string>;
  /** JWKS fetches served so far. */
  readonly jwksFetches: number;
  mint(claims?: TokenClaims): Promise<string>;
  /** Adds a new signing key (published from now on) and signs with it; the old one stays published. */
  rotate(options?: { publish?: boolean }): Promise<void>;
  /** Publishes the newest key if rotate() was told not to. */
  publishNewest(): void;
  close(): Promise<void>;
}

export interface TokenClaims {
  readonly tenant?: string | null;
  readonly subject?: string;
  readonly scopes?: readonly string[];
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  /** Seconds from now the token becomes valid. */
  readonly notBefore?: number;
  readonly audience?: string;
  readonly issuer?: string;
  /** Other claims, as a token of an IdP would carry them (`scp`, a differently named tenant claim). */
  readonly extra?: Record<string, unknown>;
}

export const TEST_TENANT = 'alchemist-media';
export const OTHER_TEST_TENANT = 'blue-harbor';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const keys: SigningKey[] = [await newKey(1)];
  let published = 1;
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.slice(0, published).map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const issuer = 'https://issuer.test.example/';
  const audience = 'finance-gateway-tests';
  const jwksUrl = `http://127.0.0.1:${port}/jwks.json`;
  return {
    issuer,
    audience,
    jwksUrl,
    env: { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWKS_URL: jwksUrl },
    get jwksFetches() {
      return fetches;
    },
    async mint(claims = {}) {
      const key = keys[keys.length - 1]!;
      const tenant = claims.tenant === undefined ? TEST_TENANT : claims.tenant;
      const body: Record<string, unknown> = { scope: (claims.scopes ?? ALL_SCOPES).join(' '), ...claims.extra };
      if (tenant !== null) body['tenant'] = tenant;
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT(body)
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
        .setIssuer(claims.issuer ?? issuer)
        .setAudience(claims.audience ?? audience)
        .setSubject(claims.subject ?? 'test-user')
        .setIssuedAt()
        .setExpirationTime(now + (claims.expiresIn ?? 3600));
      if (claims.notBefore !== undefined) jwt.setNotBefore(now + claims.notBefore);
      return jwt.sign(key.privateKey);
    },
    async rotate(options = {}) {
      keys.push(await newKey(keys.length + 1));
      if (options.publish !== false) published = keys.length;
    },
    publishNewest() {
      published = keys.length;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function newKey(index: number): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `test-key-${index}`;
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}
