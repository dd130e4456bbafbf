/**
 * Authentication of the gateway's callers. Apps send `Authorization: Bearer <JWT>` issued by
 * their own identity provider; the gateway verifies it with jose against one key source (a JWKS
 * URL, a PEM public key or an HS256 shared secret), requires `iss` and `aud`, and turns the
 * claims into a Principal: its scopes and, optionally, the only sessions it may touch.
 * What each scope allows is declared next to each field (Pothos scope-auth, src/schema/builder.ts).
 *
 * The same `authenticateToken` serves HTTP, SSE and graphql-ws `connectionParams`.
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Plugin } from 'graphql-yoga';
import { GatewayError } from '../resolvers/errors.js';

/** Every scope the gateway knows; what each grants is in the README's scopes table. */
export const SCOPES = ['video:read', 'video:write', 'video:moderate', 'token:publish'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling. */
export interface Principal {
  /** The token's `sub`; null for the anonymous caller of an open gateway. */
  subject: string | null;
  scopes: ReadonlySet<string>;
  /** The only session ids this caller may touch; null = every session of the project. */
  sessions: ReadonlySet<string> | null;
  /** True for a caller without a token on an open gateway (rate limited per IP). */
  anonymous: boolean;
}
/** Kept as the context's name for the caller. */
export type Viewer = Principal;

export type AuthKey =
  | { kind: 'jwks'; url: string; /** Minimum time between two fetches of the key set (jose's cooldown). */ cooldownMs?: number; timeoutMs?: number }
  | { kind: 'public-key'; pem: string }
  | { kind: 'hs256'; secret: string };

export interface JwtAuthConfig {
  mode: 'jwt';
  key: AuthKey;
  issuer: string;
  audience: string;
  /** The claim holding scopes (space-separated string or array); default `scope`. */
  scopeClaim: string;
  /** The claim listing the session ids a caller is restricted to; null = no restriction claim. */
  sessionsClaim: string | null;
  clockToleranceSeconds: number;
  /**
   * Callers without a token get every scope (the embedded emulator's open mode, where a dev
   * token is also accepted so GraphiQL can try scoped tokens). Never set with real credentials
   * unless AUTH_MODE=none was asked for.
   */
  allowAnonymous: boolean;
}

/** `none`: no authentication at all; every caller is anonymous with every scope. */
export type AuthConfig = { mode: 'none' } | JwtAuthConfig;

export type Authentication = { ok: true; viewer: Principal | null } | { ok: false; reason: string };

export const ANONYMOUS: Principal = Object.freeze({ subject: null, scopes: new Set<string>(SCOPES), sessions: null, anonymous: true });

/** The algorithms a public key may verify: derived from the key's own type, so an HS token can never be checked against it. */
function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return ['ES256'];
      if (curve === 'secp384r1' || curve === 'P-384') return ['ES384'];
      if (curve === 'secp521r1' || curve === 'P-521') return ['ES512'];
      throw new Error(`Unsupported EC curve ${curve ?? '(unknown)'}`);
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      throw new Error(`Unsupported public key type ${key.asymmetricKeyType ?? '(secret)'}`);
  }
}

/** Asymmetric algorithms only: a JWKS never legitimately verifies an HS token. */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Parses a PEM public key (or certificate) and checks that it is one; throws with the reason. */
export function parsePublicKey(pem: string): { key: KeyObject; algorithms: string[] } {
  const key = createPublicKey(pem);
  if (key.type !== 'public') throw new Error('not a public key');
  return { key, algorithms: algorithmsFor(key) };
}

function readList(value: unknown): string[] | null {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return null;
}

function principalOf(payload: JWTPayload, config: JwtAuthConfig): Principal {
  const scopes = new Set(readList(payload[config.scopeClaim]) ?? []);
  const sessions = config.sessionsClaim === null ? null : readList(payload[config.sessionsClaim]);
  return { subject: typeof payload.sub === 'string' ? payload.sub : null, scopes, sessions: sessions === null ? null : new Set(sessions), anonymous: false };
}

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'The token is not valid yet';
    return `The token was refused: unexpected "${error.claim}" claim`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token was refused: its algorithm is not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The token was refused: no key matches its "kid"';
  if (error instanceof joseErrors.JWKSTimeout || (error instanceof Error && /fetch|ECONNREFUSED|Expected 200|JWKS/i.test(`${error.name} ${error.message}`) && !(error instanceof joseErrors.JWSSignatureVerificationFailed))) {
    return 'The token could not be verified: the key set is unavailable';
  }
  return 'The token is not valid';
}

export interface Authenticator {
  /** Authenticates an HTTP (or SSE) request from its Authorization header. */
  authenticate(request: Request): Promise<Authentication>;
  /**
   * Authenticates a bare token or an `Authorization` value ("Bearer …"): for graphql-ws
   * `connectionParams`. Null/empty = no credentials.
   */
  authenticateToken(token: string | null | undefined): Promise<Authentication>;
}

export function createAuthenticator(config: AuthConfig | null): Authenticator {
  if (config === null || config.mode === 'none') {
    const open = async (): Promise<Authentication> => ({ ok: true, viewer: ANONYMOUS });
    return { authenticate: open, authenticateToken: open };
  }
  let verify: (token: string) => Promise<JWTPayload>;
  const common = { issuer: config.issuer, audience: config.audience, clockTolerance: config.clockToleranceSeconds, requiredClaims: ['iss', 'aud', 'exp'] };
  const key = config.key;
  if (key.kind === 'hs256') {
    const secret = new TextEncoder().encode(key.secret);
    verify = async (token) => (await jwtVerify(token, secret, { ...common, algorithms: ['HS256'] })).payload;
  } else if (key.kind === 'public-key') {
    const parsed = parsePublicKey(key.pem);
    verify = async (token) => (await jwtVerify(token, parsed.key, { ...common, algorithms: parsed.algorithms })).payload;
  } else {
    // jose caches the key set and refetches it when a token names an unknown kid (no more
    // often than the cooldown); a fetch that fails rejects the token: fail closed.
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(key.url), {
      cooldownDuration: key.cooldownMs ?? 30_000,
      timeoutDuration: key.timeoutMs ?? 5_000,
      cacheMaxAge: 10 * 60_000,
    });
    verify = async (token) => (await jwtVerify(token, jwks, { ...common, algorithms: JWKS_ALGORITHMS })).payload;
  }

  const authenticateToken = async (raw: string | null | undefined): Promise<Authentication> => {
    const value = raw?.trim() ?? '';
    if (value === '') {
      return config.allowAnonymous ? { ok: true, viewer: ANONYMOUS } : { ok: false, reason: 'Authentication required: send Authorization: Bearer <token>' };
    }
    const match = /^(?:Bearer\s+)?([A-Za-z0-9_\-.=+/]+)$/i.exec(value);
    if (!match) return { ok: false, reason: 'The Authorization header must be "Bearer <token>"' };
    try {
      return { ok: true, viewer: principalOf(await verify(match[1]!), config) };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
  };
  return {
    authenticate: (request) => {
      const header = request.headers.get('authorization');
      if (header !== null && !/^Bearer\s/i.test(header.trim() + ' ')) return Promise.resolve({ ok: false, reason: 'The Authorization header must be "Bearer <token>"' });
      return authenticateToken(header);
    },
    authenticateToken,
  };
}

/** Issuer and audience of the tokens an open (emulator) gateway mints for its own GraphiQL. */
export const DEV_ISSUER = 'opentok-gateway-dev';
export const DEV_AUDIENCE = 'opentok-gateway';

/** The auth configuration of the embedded emulator's open mode: anonymous callers, plus a random dev secret. */
export function devAuthConfig(secret: string = randomBytes(32).toString('base64url')): JwtAuthConfig {
  return {
    mode: 'jwt',
    key: { kind: 'hs256', secret },
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    scopeClaim: 'scope',
    sessionsClaim: 'sessions',
    clockToleranceSeconds: 5,
    allowAnonymous: true,
  };
}

/** A token with every scope, signed with the dev secret, for GraphiQL's headers tab. */
export async function mintDevToken(config: JwtAuthConfig, scopes: readonly string[] = SCOPES, ttl = '12h'): Promise<string> {
  if (config.key.kind !== 'hs256') throw new Error('Dev tokens need an HS256 secret');
  return new SignJWT({ [config.scopeClaim]: scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('dev')
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(config.key.secret));
}

interface AuthContext {
  authentication: Authentication;
}

function unauthenticated(reason: string): GatewayError {
  return new GatewayError('UNAUTHENTICATED', reason, { http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } });
}

/**
 * Stops an operation before it runs when the caller's credentials are missing or invalid.
 * What an authenticated caller may do is decided per field by scope-auth.
 */
export function authPlugin(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const authentication = (args.contextValue as unknown as AuthContext).authentication;
      if (!authentication.ok) setResultAndStopExecution({ errors: [unauthenticated(authentication.reason)] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const authentication = (args.contextValue as unknown as AuthContext).authentication;
      if (!authentication.ok) setResultAndStopExecution({ errors: [unauthenticated(authentication.reason)] });
    },
  };
}
