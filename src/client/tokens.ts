/**
 * Client tokens (API.md §6): the OpenTok HS256 JWT (default), the legacy T1 format, and the
 * Vonage RS256 token; and their verification, which the emulator uses to admit simulated clients.
 *
 * Generation signs with node:crypto directly rather than jose: it is synchronous like the
 * official SDKs' `generateToken`, and token minting is a hot path with a throughput target
 * (3× the official package) that jose's async WebCrypto signing cannot meet. A JWT is three
 * base64url segments and one HMAC, so there is little to get wrong; the tests verify every
 * token we mint with jose and with the official package's own decoding rules.
 * Verification uses jose.
 */
import { createHmac, createPrivateKey, createPublicKey, createSecretKey, randomUUID, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { escape as formEscape } from 'node:querystring';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LIMITS, ROLES, TOKEN_TYPES, type Role, type TokenType } from './constants.js';
import { OpenTokTokenError, OpenTokValidationError } from './errors.js';
import { decodeSessionId } from './session-id.js';
import type { OpenTokCredentials, TokenOptions, VerifiedToken } from './types.js';

const SCOPE = 'session.connect';
const T1_PREFIX = 'T1==';
const HS256_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const RS256_HEADER = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');

/** Token options after validation, in the units the wire formats use. */
interface NormalizedTokenOptions {
  role: Role;
  expireTime: number;
  data: string | undefined;
  initialLayoutClassList: string;
  tokenType: TokenType;
}

function fail(field: string, message: string): never {
  throw new OpenTokValidationError(field, message, 'generateToken');
}

/** Applies the rules of API.md §6.5 (the stricter of Ruby's and Node's where they differ). */
export function normalizeTokenOptions(options: TokenOptions, nowSeconds: number): NormalizedTokenOptions {
  const role = options.role ?? 'publisher';
  if (!ROLES.includes(role)) fail('role', `role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(role)}`);

  let expireTime = nowSeconds + LIMITS.tokenDefaultLifetimeSeconds;
  if (options.expireTime !== undefined) {
    const raw = options.expireTime instanceof Date ? options.expireTime.getTime() / 1000 : options.expireTime;
    if (typeof raw !== 'number' || !Number.isFinite(raw)) fail('expireTime', 'expireTime must be a number of epoch seconds or a Date');
    expireTime = Math.round(raw);
    if (expireTime <= nowSeconds) fail('expireTime', `expireTime must be in the future; got ${expireTime}, now is ${nowSeconds}`);
    if (expireTime > nowSeconds + LIMITS.tokenMaxLifetimeSeconds) {
      fail('expireTime', `expireTime must be within the next 30 days (at most ${nowSeconds + LIMITS.tokenMaxLifetimeSeconds}); got ${expireTime}`);
    }
  }

  const data = options.data;
  if (data !== undefined) {
    if (typeof data !== 'string') fail('data', 'data must be a string');
    if (data.length > LIMITS.connectionDataMaxLength) {
      fail('data', `data must be less than 1000 characters; got ${data.length}`);
    }
  }

  let initialLayoutClassList = '';
  const classes = options.initialLayoutClassList;
  if (classes !== undefined) {
    if (Array.isArray(classes)) {
      if (!classes.every((c) => typeof c === 'string')) fail('initialLayoutClassList', 'initialLayoutClassList must contain only strings');
      initialLayoutClassList = classes.join(' ');
    } else if (typeof classes === 'string') {
      initialLayoutClassList = classes;
    } else {
      fail('initialLayoutClassList', 'initialLayoutClassList must be a string or an array of strings');
    }
    if (initialLayoutClassList.length > LIMITS.initialLayoutClassListMaxLength) {
      fail('initialLayoutClassList', `initialLayoutClassList must be at most ${LIMITS.initialLayoutClassListMaxLength} characters when joined; got ${initialLayoutClassList.length}`);
    }
  }

  const requested = options.tokenType ?? 'JWT';
  const tokenType = typeof requested === 'string' ? (requested.toUpperCase() as TokenType) : requested;
  if (!TOKEN_TYPES.includes(tokenType)) fail('tokenType', `tokenType must be one of ${TOKEN_TYPES.join(', ')}; got ${JSON.stringify(requested)}`);

  return { role, expireTime, data, initialLayoutClassList, tokenType };
}

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The T1 data string in the Node SDK's field order (opentok-token 1.1.1), form-encoded as `querystring.stringify` does. */
function t1DataString(escapedSessionId: string, o: NormalizedTokenOptions, nowSeconds: number, nonce: number): string {
  // A template instead of querystring.stringify: the fixed keys and numbers never need escaping,
  // and building the string directly was a quarter of the cost of a token.
  let data = `session_id=${escapedSessionId}&create_time=${nowSeconds}&nonce=${nonce}&role=${o.role}&expire_time=${o.expireTime}`;
  if (o.data !== undefined) data += `&connection_data=${formEscape(o.data)}`;
  return `${data}&initial_layout_class_list=${o.initialLayoutClassList === '' ? '' : formEscape(o.initialLayoutClassList)}&scope=${SCOPE}`;
}

export type TokenGenerator = (sessionId: string, options?: TokenOptions, now?: Date) => string;

/** Sessions already checked to belong to the key, with their form-encoded id. Bounded; cleared when full. */
const OWNED_SESSION_CACHE_MAX = 4096;

function hasOwnKeys(options: object): boolean {
  for (const key in options) {
    if (Object.hasOwn(options, key)) return true;
  }
  return false;
}

/**
 * A token minting function bound to one project's credentials.
 * Keys are prepared once here so each call costs one HMAC (or one RSA signature).
 */
export function createTokenGenerator(credentials: OpenTokCredentials): TokenGenerator {
  if ('apiKey' in credentials) {
    const apiKey = String(credentials.apiKey);
    // A KeyObject spares createHmac from copying the secret on every call.
    const secret = createSecretKey(Buffer.from(credentials.apiSecret, 'utf8'));
    const t1Head = `partner_id=${apiKey}&sig=`;
    // btoa is the fastest base64 for Latin-1 text; the T1 payload is ASCII unless the API key is not.
    const asciiKey = /^[\x00-\x7f]*$/.test(apiKey);
    const owned = new Map<string, string>();

    // Decoding a session id (base64, split, date parse) cost more than the HMAC; its answer
    // depends only on the id, so each id is decoded once.
    const ownedSession = (sessionId: string): string => {
      const known = owned.get(sessionId);
      if (known !== undefined) return known;
      if (typeof sessionId !== 'string' || sessionId === '') fail('sessionId', 'sessionId is required');
      const decoded = decodeSessionId(sessionId);
      if (decoded === null) fail('sessionId', 'sessionId is not a valid OpenTok session id');
      if (decoded.projectId !== apiKey) {
        fail('sessionId', `Token cannot be generated: the session does not belong to API key ${apiKey}`);
      }
      if (owned.size >= OWNED_SESSION_CACHE_MAX) owned.clear();
      const escaped = formEscape(sessionId);
      owned.set(sessionId, escaped);
      return escaped;
    };

    return (sessionId, options, now) => {
      const nowSeconds = Math.floor((now === undefined ? Date.now() : now.getTime()) / 1000);
      const escapedSessionId = ownedSession(sessionId);
      const o =
        options === undefined || !hasOwnKeys(options)
          ? { role: 'publisher' as const, expireTime: nowSeconds + LIMITS.tokenDefaultLifetimeSeconds, data: undefined, initialLayoutClassList: '', tokenType: 'JWT' as const }
          : normalizeTokenOptions(options, nowSeconds);
      const nonce = Math.random();
      if (o.tokenType === 'T1') {
        const dataString = t1DataString(escapedSessionId, o, nowSeconds, nonce);
        const sig = createHmac('sha1', secret).update(dataString, 'latin1').digest('hex');
        const raw = `${t1Head}${sig}:${dataString}`;
        return T1_PREFIX + (asciiKey ? btoa(raw) : Buffer.from(raw, 'utf8').toString('base64'));
      }
      const payload: Record<string, unknown> = {
        iss: apiKey,
        ist: 'project',
        iat: nowSeconds,
        exp: o.expireTime,
        session_id: sessionId,
        create_time: nowSeconds,
        nonce,
        role: o.role,
        expire_time: o.expireTime,
        initial_layout_class_list: o.initialLayoutClassList,
        scope: SCOPE,
      };
      if (o.data !== undefined) payload.connection_data = o.data;
      const signingInput = `${HS256_HEADER}.${b64urlJson(payload)}`;
      return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
    };
  }

  const { applicationId } = credentials;
  const privateKey = createPrivateKey(credentials.privateKey);
  return (sessionId, options = {}, now) => {
    const nowSeconds = Math.floor((now === undefined ? Date.now() : now.getTime()) / 1000);
    if (typeof sessionId !== 'string' || sessionId === '') fail('sessionId', 'sessionId is required');
    const o = normalizeTokenOptions(options, nowSeconds);
    const payload: Record<string, unknown> = {
      application_id: applicationId,
      iat: nowSeconds,
      jti: randomUUID(),
      exp: o.expireTime,
      scope: SCOPE,
      session_id: sessionId,
      role: o.role,
      initial_layout_class_list: o.initialLayoutClassList,
      sub: 'video',
      acl: { paths: { '/session/**': {} } },
    };
    if (o.data !== undefined) payload.connection_data = o.data;
    const signingInput = `${RS256_HEADER}.${b64urlJson(payload)}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
  };
}

// ---------------------------------------------------------------------------
// Verification

/** Keys of the project a token must belong to. Give the pair(s) the project has. */
export interface TokenVerificationKeys {
  apiKey?: string;
  apiSecret?: string;
  applicationId?: string;
  /** PEM (SPKI) public key of the Vonage application, or a KeyObject. */
  publicKey?: string | KeyObject;
}

export interface VerifyTokenOptions {
  /** The session the token must be for. */
  sessionId?: string;
  now?: Date;
}

function reject(reason: ConstructorParameters<typeof OpenTokTokenError>[0], message: string): never {
  throw new OpenTokTokenError(reason, message);
}

function toRole(value: unknown): Role {
  const role = value === undefined || value === null || value === '' ? 'publisher' : value;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) reject('INVALID_ROLE', `token role ${JSON.stringify(value)} is not one of ${ROLES.join(', ')}`);
  return role as Role;
}

function toSeconds(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.floor(n) : null;
}

function classList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  if (typeof value === 'string') return value.split(' ').filter((v) => v !== '');
  return [];
}

function checkLifetime(expireTime: number | null, issuedAt: number | null, nowSeconds: number): void {
  // A token without an expiry (Ruby's JWT, Ruby's T1) gets the server default of 24 h.
  const effective = expireTime ?? (issuedAt !== null ? issuedAt + LIMITS.tokenDefaultLifetimeSeconds : null);
  if (effective !== null && effective <= nowSeconds) reject('EXPIRED', `token expired at ${new Date(effective * 1000).toISOString()}`);
}

function checkSession(sessionId: unknown, expected: string | undefined): string {
  if (typeof sessionId !== 'string' || sessionId === '') reject('MALFORMED', 'token carries no session_id');
  if (expected !== undefined && sessionId !== expected) reject('SESSION_MISMATCH', 'token was issued for a different session');
  return sessionId;
}

function verifyT1(token: string, keys: TokenVerificationKeys, options: VerifyTokenOptions, nowSeconds: number): VerifiedToken {
  if (!keys.apiKey || !keys.apiSecret) reject('WRONG_PROJECT', 'T1 tokens need an OpenTok API key and secret to verify');
  const decoded = Buffer.from(token.slice(T1_PREFIX.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) reject('MALFORMED', 'T1 token has no data part');
  const head = new URLSearchParams(decoded.slice(0, colon));
  const dataString = decoded.slice(colon + 1);
  const partnerId = head.get('partner_id');
  const sig = head.get('sig');
  if (!partnerId || !sig) reject('MALFORMED', 'T1 token lacks partner_id or sig');
  if (partnerId !== keys.apiKey) reject('WRONG_PROJECT', 'token was issued for another API key');
  const expected = createHmac('sha1', keys.apiSecret).update(dataString).digest();
  const given = Buffer.from(sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) reject('BAD_SIGNATURE', 'T1 token signature does not match');
  const data = new URLSearchParams(dataString);
  const sessionId = checkSession(data.get('session_id'), options.sessionId);
  const expireTime = toSeconds(data.get('expire_time'));
  const issuedAt = toSeconds(data.get('create_time'));
  checkLifetime(expireTime, issuedAt, nowSeconds);
  return {
    format: 'T1',
    projectId: partnerId,
    sessionId,
    role: toRole(data.get('role')),
    expireTime,
    issuedAt,
    data: data.get('connection_data'),
    initialLayoutClassList: classList(data.get('initial_layout_class_list') ?? ''),
  };
}

async function verifyJwt(token: string, keys: TokenVerificationKeys, options: VerifyTokenOptions, now: Date): Promise<VerifiedToken> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    reject('MALFORMED', 'token is neither a T1 token nor a JWT');
  }
  const vonage = alg === 'RS256';
  let key: Uint8Array | KeyObject;
  if (vonage) {
    if (!keys.applicationId || !keys.publicKey) reject('WRONG_PROJECT', 'RS256 tokens need a Vonage application id and public key to verify');
    key = typeof keys.publicKey === 'string' ? createPublicKey(keys.publicKey) : keys.publicKey;
  } else if (alg === 'HS256') {
    if (!keys.apiKey || !keys.apiSecret) reject('WRONG_PROJECT', 'HS256 tokens need an OpenTok API key and secret to verify');
    key = new TextEncoder().encode(keys.apiSecret);
  } else {
    reject('MALFORMED', `token algorithm ${JSON.stringify(alg)} is not accepted (HS256 or RS256)`);
  }

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: [vonage ? 'RS256' : 'HS256'], currentDate: now }));
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) reject('BAD_SIGNATURE', 'token signature does not match');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') reject('NOT_YET_VALID', 'token is not valid yet');
    if (error instanceof joseErrors.JWTExpired) reject('EXPIRED', 'token has expired');
    reject('MALFORMED', `token could not be verified: ${(error as Error).message}`);
  }

  const projectId = vonage ? payload.application_id : payload.iss;
  const expectedProject = vonage ? keys.applicationId : keys.apiKey;
  if (projectId !== expectedProject) reject('WRONG_PROJECT', 'token was issued for another project');
  if (payload.scope !== undefined && payload.scope !== SCOPE) reject('MALFORMED', `token scope must be ${SCOPE}`);
  const sessionId = checkSession(payload.session_id, options.sessionId);
  const expireTime = toSeconds(payload.exp ?? payload.expire_time);
  const issuedAt = toSeconds(payload.iat);
  checkLifetime(expireTime, issuedAt, Math.floor(now.getTime() / 1000));
  return {
    format: vonage ? 'VONAGE' : 'JWT',
    projectId: String(projectId),
    sessionId,
    role: toRole(payload.role),
    expireTime,
    issuedAt,
    data: typeof payload.connection_data === 'string' ? payload.connection_data : null,
    initialLayoutClassList: classList(payload.initial_layout_class_list),
  };
}

/**
 * Verifies a client token of any format (T1, OpenTok JWT, Vonage RS256) as the platform would:
 * signature, project, session, expiry and role. Throws `OpenTokTokenError` with the failed check.
 */
export async function verifyToken(token: string, keys: TokenVerificationKeys, options: VerifyTokenOptions = {}): Promise<VerifiedToken> {
  if (typeof token !== 'string' || token === '') reject('MALFORMED', 'token is empty');
  const now = options.now ?? new Date();
  if (token.startsWith(T1_PREFIX)) return verifyT1(token, keys, options, Math.floor(now.getTime() / 1000));
  return verifyJwt(token, keys, options, now);
}
