/**
 * The security part of the configuration (issue 5): caller authentication, request limits,
 * rate limiting, persisted operations, CORS and webhook authenticity. Parsed here, called from
 * `loadConfig` (config.ts) with its helpers, so every problem is reported together at start.
 */
import { parsePublicKey, type AuthConfig, type AuthKey } from './auth.js';
import type { CallbackAuthConfig } from './webhook-auth.js';

export interface LimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  introspection: boolean;
  /** Production hides field suggestions ("Did you mean …?") that map the schema for an attacker. */
  production: boolean;
}

export interface RateLimitConfig {
  /** Operations per window and principal (or IP, for anonymous callers). */
  max: number;
  windowMs: number;
  /** Use X-Forwarded-For's first address as the caller's IP (only behind a proxy you run). */
  trustProxy: boolean;
}

export interface SecurityConfig {
  /** null = the embedded emulator's open mode (anonymous callers, plus a dev token). */
  auth: AuthConfig | null;
  limits: LimitsConfig;
  rateLimit: RateLimitConfig | null;
  redisUrl: string | null;
  /** A JSON file: an array of sha256 hashes, or an object mapping hashes to documents. */
  persistedOperationsPath: string | null;
  /** Allowed browser origins; null = no CORS headers at all (same-origin only). `*` allows any. */
  corsOrigins: string[] | null;
  callbackAuth: Omit<CallbackAuthConfig, 'signatureSecret'>;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  maxDepth: 12,
  maxAliases: 50,
  maxTokens: 5000,
  maxDirectives: 50,
  maxCost: 5000,
  maxBodyBytes: 100 * 1024,
  introspection: true,
  production: false,
};

export const SECURITY_VARIABLES: readonly { name: string; description: string }[] = [
  { name: 'AUTH_MODE', description: 'jwt (callers need a Bearer JWT) or none (no authentication; required to run real credentials without auth). Default: jwt when a key is set; open with a dev token on the embedded emulator.' },
  { name: 'AUTH_JWKS_URL', description: 'Verify caller JWTs with the identity provider\'s JWKS (https URL); cached, refetched on an unknown kid.' },
  { name: 'AUTH_PUBLIC_KEY', description: 'Verify caller JWTs with this PEM public key (RSA, EC or Ed25519; `\\n` escapes allowed).' },
  { name: 'AUTH_PUBLIC_KEY_PATH', description: 'Path of a file holding the PEM public key (instead of AUTH_PUBLIC_KEY).' },
  { name: 'AUTH_HS256_SECRET', description: 'Verify caller JWTs with this HS256 shared secret (≥ 32 characters). GATEWAY_JWT_SECRET is an alias.' },
  { name: 'AUTH_ISSUER', description: 'Required `iss` of caller tokens (required with a key). GATEWAY_JWT_ISSUER is an alias.' },
  { name: 'AUTH_AUDIENCE', description: 'Required `aud` of caller tokens (required with a key). GATEWAY_JWT_AUDIENCE is an alias.' },
  { name: 'AUTH_SCOPE_CLAIM', description: 'Claim holding the scopes, space-separated or an array (default scope): video:read, video:write, video:moderate, token:publish.' },
  { name: 'AUTH_SESSIONS_CLAIM', description: 'Claim listing the only session ids a caller may touch (default sessions; absent in a token = no restriction).' },
  { name: 'AUTH_CLOCK_TOLERANCE_S', description: 'Clock skew allowed on exp/nbf, in seconds (default 30, at most 300).' },
  { name: 'RATE_LIMIT_MAX', description: 'Operations per window per caller (per IP for anonymous callers); 0 = off (default 300).' },
  { name: 'RATE_LIMIT_WINDOW_MS', description: 'Rate-limit window in ms (default 60000).' },
  { name: 'TRUST_PROXY', description: 'true: take the caller IP from X-Forwarded-For (only behind your own proxy). Default false.' },
  { name: 'REDIS_URL', description: 'redis:// URL: rate-limit counters (and the real-time state) live in Redis, shared by every instance.' },
  { name: 'MAX_DEPTH', description: 'Maximum query depth (default 12).' },
  { name: 'MAX_ALIASES', description: 'Maximum aliases per operation (default 50).' },
  { name: 'MAX_TOKENS', description: 'Maximum tokens per document (default 5000).' },
  { name: 'MAX_DIRECTIVES', description: 'Maximum directives per operation (default 50).' },
  { name: 'MAX_COST', description: 'Maximum estimated cost per operation (default 5000).' },
  { name: 'MAX_BODY_BYTES', description: 'Largest request body in bytes (default 102400).' },
  { name: 'INTROSPECTION', description: 'Answer introspection queries: true or false (default true, false when NODE_ENV=production with real credentials).' },
  { name: 'NODE_ENV', description: 'production hides field suggestions in validation errors and turns introspection off unless INTROSPECTION=true.' },
  { name: 'PERSISTED_OPERATIONS_PATH', description: 'JSON file of allowed operation hashes (array of sha256 hex, or {hash: document}): only those operations run.' },
  { name: 'CORS_ORIGINS', description: 'Comma-separated browser origins allowed to call the API (or *). Default: none (no CORS headers).' },
  { name: 'OPENTOK_CALLBACK_PATH_SECRET', description: 'Legacy OpenTok callbacks: accept callbacks posted to /webhooks/opentok/<secret> (≥ 16 characters).' },
  { name: 'OPENTOK_CALLBACK_BASIC_AUTH', description: 'Legacy OpenTok callbacks: accept callbacks with this basic auth, as user:password in the callback URL.' },
];

export type Getter = (name: string) => string | undefined;

export interface ParseHelpers {
  get: Getter;
  int(name: string, fallback: number, min: number, max: number): number;
  bool(name: string, fallback: boolean): boolean;
  url(name: string): string | undefined;
  problems: string[];
  readFile(path: string): string;
}

export function readSecurityConfig(h: ParseHelpers, upstream: 'emulator' | 'opentok' | 'vonage'): SecurityConfig {
  const { get, problems } = h;
  const production = get('NODE_ENV')?.toLowerCase() === 'production';

  const hsSecret = get('AUTH_HS256_SECRET') ?? get('GATEWAY_JWT_SECRET');
  const issuer = get('AUTH_ISSUER') ?? get('GATEWAY_JWT_ISSUER');
  const audience = get('AUTH_AUDIENCE') ?? get('GATEWAY_JWT_AUDIENCE');
  const jwksUrl = h.url('AUTH_JWKS_URL');
  let pem = get('AUTH_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  const pemPath = get('AUTH_PUBLIC_KEY_PATH');
  if (pemPath !== undefined) {
    if (pem !== undefined) problems.push('Set AUTH_PUBLIC_KEY or AUTH_PUBLIC_KEY_PATH, not both');
    try {
      pem = h.readFile(pemPath);
    } catch (error) {
      problems.push(`AUTH_PUBLIC_KEY_PATH: cannot read ${pemPath} (${(error as Error).message})`);
    }
  }
  if (hsSecret !== undefined && hsSecret.length < 32) problems.push('AUTH_HS256_SECRET (GATEWAY_JWT_SECRET) must be at least 32 characters (use a random secret)');
  if (pem !== undefined) {
    try {
      parsePublicKey(pem);
    } catch (error) {
      problems.push(`AUTH_PUBLIC_KEY is not a usable PEM public key (${(error as Error).message})`);
    }
  }
  const keys: AuthKey[] = [];
  if (jwksUrl !== undefined) keys.push({ kind: 'jwks', url: jwksUrl });
  if (pem !== undefined) keys.push({ kind: 'public-key', pem });
  if (hsSecret !== undefined) keys.push({ kind: 'hs256', secret: hsSecret });
  if (keys.length > 1) problems.push('Set one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY(_PATH) and AUTH_HS256_SECRET, not several');

  const modeRaw = get('AUTH_MODE')?.toLowerCase();
  if (modeRaw !== undefined && modeRaw !== 'jwt' && modeRaw !== 'none') problems.push(`AUTH_MODE must be jwt or none; got ${JSON.stringify(get('AUTH_MODE'))}`);
  let auth: AuthConfig | null = null;
  if (modeRaw === 'none') {
    if (keys.length > 0) problems.push('AUTH_MODE=none but an auth key is set: remove one of them');
    auth = { mode: 'none' };
  } else if (keys.length > 0 || modeRaw === 'jwt') {
    if (keys.length === 0) problems.push('AUTH_MODE=jwt needs AUTH_JWKS_URL, AUTH_PUBLIC_KEY(_PATH) or AUTH_HS256_SECRET');
    if (issuer === undefined) problems.push('AUTH_ISSUER is required with an auth key (the `iss` your identity provider puts in tokens)');
    if (audience === undefined) problems.push('AUTH_AUDIENCE is required with an auth key (the `aud` your tokens are issued for)');
    if (keys.length === 1 && issuer !== undefined && audience !== undefined) {
      auth = {
        mode: 'jwt',
        key: keys[0]!,
        issuer,
        audience,
        scopeClaim: get('AUTH_SCOPE_CLAIM') ?? 'scope',
        sessionsClaim: get('AUTH_SESSIONS_CLAIM') ?? 'sessions',
        clockToleranceSeconds: h.int('AUTH_CLOCK_TOLERANCE_S', 30, 0, 300),
        allowAnonymous: false,
      };
    }
  } else if (upstream !== 'emulator') {
    // Real credentials behind an open gateway would let anyone spend the project's minutes.
    problems.push('Real OpenTok credentials are set but no caller authentication is: set AUTH_JWKS_URL, AUTH_PUBLIC_KEY(_PATH) or AUTH_HS256_SECRET with AUTH_ISSUER and AUTH_AUDIENCE, or AUTH_MODE=none to run open on purpose');
  }

  const limits: LimitsConfig = {
    maxDepth: h.int('MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 1, 100),
    maxAliases: h.int('MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0, 1000),
    maxTokens: h.int('MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 10, 1_000_000),
    maxDirectives: h.int('MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0, 1000),
    maxCost: h.int('MAX_COST', DEFAULT_LIMITS.maxCost, 1, 10_000_000),
    maxBodyBytes: h.int('MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes, 1024, 100 * 1024 * 1024),
    introspection: h.bool('INTROSPECTION', !(production && upstream !== 'emulator')),
    production,
  };

  const max = h.int('RATE_LIMIT_MAX', 300, 0, 1_000_000);
  const rateLimit: RateLimitConfig | null = max === 0 ? null : { max, windowMs: h.int('RATE_LIMIT_WINDOW_MS', 60_000, 100, 86_400_000), trustProxy: h.bool('TRUST_PROXY', false) };

  const redisRaw = get('REDIS_URL');
  if (redisRaw !== undefined && !/^rediss?:\/\//.test(redisRaw)) problems.push(`REDIS_URL must be a redis:// or rediss:// URL; got ${JSON.stringify(redisRaw)}`);

  const cors = get('CORS_ORIGINS');
  const corsOrigins = cors === undefined ? null : cors.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  for (const origin of corsOrigins ?? []) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
  }

  const pathSecret = get('OPENTOK_CALLBACK_PATH_SECRET') ?? null;
  if (pathSecret !== null && !/^[A-Za-z0-9_-]{16,128}$/.test(pathSecret)) problems.push('OPENTOK_CALLBACK_PATH_SECRET must be 16–128 characters of A–Z, a–z, 0–9, _ and -');
  const basicAuth = get('OPENTOK_CALLBACK_BASIC_AUTH') ?? null;
  if (basicAuth !== null && !/^[^:]+:.{8,}$/.test(basicAuth)) problems.push('OPENTOK_CALLBACK_BASIC_AUTH must be user:password with a password of at least 8 characters');

  return {
    auth,
    limits,
    rateLimit,
    redisUrl: redisRaw ?? null,
    persistedOperationsPath: get('PERSISTED_OPERATIONS_PATH') ?? null,
    corsOrigins,
    // npm start never accepts a callback that proves nothing: with no secret configured for real
    // credentials, every callback gets 401 (the start-up log says so).
    callbackAuth: { pathSecret, basicAuth, allowUnauthenticated: false },
  };
}
