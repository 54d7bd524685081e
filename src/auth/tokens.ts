import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { fetch as undiciFetch } from 'undici';

/** One token issuer the gateway trusts: an IdP for people, a client-credentials server for services. */
export interface IssuerConfig {
  /** Exact `iss` value. */
  readonly issuer: string;
  /** Accepted `aud` values; the token must name at least one. */
  readonly audiences: readonly string[];
  /** Where the issuer publishes its keys (fetched with undici, cached, refreshed on an unknown `kid`). */
  readonly jwksUrl: string | null;
  /** A static public key instead: PEM (SPKI) or a JWK / JWK Set in JSON. */
  readonly publicKeyFile: string | null;
  /** Keys held in memory (the development issuer). */
  readonly jwks?: JSONWebKeySet;
}

/** What every token must satisfy, whoever issued it. */
export interface TokenPolicy {
  /** Asymmetric algorithms only; `none` and HMAC are refused by configuration. */
  readonly algorithms: readonly string[];
  readonly clockSkewSeconds: number;
  /** The claim that names the caller's tenant. */
  readonly tenantClaim: string;
  /** An unknown `kid` refetches an issuer's JWKS at most once per this period. */
  readonly jwksCooldownMs: number;
  /** Keys are refetched at least this often, known `kid` or not. */
  readonly jwksCacheMaxAgeMs: number;
}

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** A token that passed every check. */
export interface VerifiedToken {
  readonly issuer: string;
  readonly subject: string;
  readonly tenantId: string;
  readonly scopes: ReadonlySet<string>;
}

/** Why a token was refused; the reason is safe to show the caller (it never echoes the token). */
export class TokenRejectedError extends Error {}

interface TrustedIssuer {
  readonly config: IssuerConfig;
  readonly key: JWTVerifyGetKey | KeyObject;
}

/**
 * Verifies bearer tokens (JWS compact JWTs) with jose: the issuer is picked by the token's `iss`
 * among the configured ones (an unknown issuer is refused before any key is fetched), then the
 * signature against that issuer's keys, the algorithm allow-list, `aud`, `exp`/`nbf` with the clock
 * skew, and the presence of `sub` and the tenant claim.
 */
export class TokenVerifier {
  private readonly issuers: ReadonlyMap<string, TrustedIssuer>;

  constructor(
    issuers: readonly IssuerConfig[],
    private readonly policy: TokenPolicy,
  ) {
    this.issuers = new Map(issuers.map((config) => [config.issuer, { config, key: keySource(config, policy) }]));
  }

  async verify(token: string): Promise<VerifiedToken> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejectedError('the bearer token is not a JWT');
    }
    const trusted = typeof unverified.iss === 'string' ? this.issuers.get(unverified.iss) : undefined;
    if (!trusted) throw new TokenRejectedError('the token was not issued by a trusted issuer');
    let payload: JWTPayload;
    try {
      const options = {
        issuer: trusted.config.issuer,
        audience: [...trusted.config.audiences],
        algorithms: [...this.policy.algorithms],
        clockTolerance: this.policy.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      };
      // jose's overloads take a key or a key resolver, not their union.
      ({ payload } =
        typeof trusted.key === 'function' ? await jwtVerify(token, trusted.key, options) : await jwtVerify(token, trusted.key, options));
    } catch (error) {
      throw new TokenRejectedError(rejectionReason(error));
    }
    const tenantId = payload[this.policy.tenantClaim];
    if (typeof tenantId !== 'string' || tenantId === '') throw new TokenRejectedError(`the token has no "${this.policy.tenantClaim}" claim naming a tenant`);
    return { issuer: trusted.config.issuer, subject: payload.sub!, tenantId, scopes: scopesOf(payload) };
  }
}

function keySource(config: IssuerConfig, policy: TokenPolicy): JWTVerifyGetKey | KeyObject {
  if (config.jwks) return createLocalJWKSet(config.jwks);
  if (config.jwksUrl) {
    return createRemoteJWKSet(new URL(config.jwksUrl), {
      cooldownDuration: policy.jwksCooldownMs,
      cacheMaxAge: policy.jwksCacheMaxAgeMs,
      timeoutDuration: 5_000,
      // undici's own fetch, as every upstream call; its types differ from the DOM's only nominally.
      [customFetch]: (url, options) => undiciFetch(url, options as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>,
    });
  }
  if (config.publicKeyFile) return staticKey(config.publicKeyFile);
  throw new Error(`issuer ${config.issuer} has neither a JWKS URL nor a public key`);
}

/** A PEM public key, or a JWK / JWK Set in JSON. A private key in the file is refused. */
function staticKey(path: string): JWTVerifyGetKey | KeyObject {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('{')) {
    const json = JSON.parse(text) as JSONWebKeySet | JSONWebKeySet['keys'][number];
    const set: JSONWebKeySet = 'keys' in json ? json : { keys: [json] };
    if (set.keys.some((key) => 'd' in key || key.kty === 'oct')) throw new Error(`${path} holds a private or symmetric key; give the public key only`);
    return createLocalJWKSet(set);
  }
  if (/PRIVATE KEY/.test(text)) throw new Error(`${path} holds a private key; give the public key only`);
  return createPublicKey(text);
}

function scopesOf(payload: JWTPayload): ReadonlySet<string> {
  const raw = payload['scope'] ?? payload['scp'];
  const list = typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw.filter((value): value is string => typeof value === 'string') : [];
  return new Set(list.filter(Boolean));
}

function rejectionReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not yet valid';
    if (error.claim === 'aud') return 'the token is not meant for this gateway (aud)';
    if (error.claim === 'iss') return 'the token was not issued by a trusted issuer';
    return `the token's "${error.claim}" claim is missing or invalid`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this gateway does not accept';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches the token (unknown kid)';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof joseErrors.JWKSTimeout) return "the issuer's keys could not be fetched in time";
  if (error instanceof joseErrors.JOSEError) return 'the token is invalid';
  return "the issuer's keys could not be fetched";
}
