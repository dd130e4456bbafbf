/**
 * Project authentication for REST calls (API.md §2).
 *
 * OpenTok mode: an HS256 JWT in `X-OPENTOK-AUTH` signed with the API secret.
 * Vonage mode: an RS256 JWT in `Authorization: Bearer` signed with the application's private key.
 *
 * Both SDKs sign a fresh JWT for every request. That is wasted CPU (an RSA signature costs
 * about a millisecond), so one JWT is reused until it is close to expiry and concurrent callers
 * share a single in-flight signing. The credentials live only in this closure.
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { LIMITS } from './constants.js';
import type { OpenTokCredentials } from './types.js';

export interface ProjectAuthOptions {
  /** JWT lifetime; at most 300 s (the documented maximum). Default 300. */
  lifetimeSeconds?: number;
  /** Re-sign when fewer than this many seconds are left. Default 60. */
  refreshMarginSeconds?: number;
  /** Reuse a JWT until it nears expiry. Default true; false signs one per request (for measurements). */
  reuse?: boolean;
  /** Clock in epoch milliseconds; tests move it. */
  now?: () => number;
}

export interface ProjectAuth {
  readonly mode: 'opentok' | 'vonage';
  readonly projectId: string;
  /** The auth header for one request: `[name, value]`. */
  header(): Promise<readonly [string, string]>;
  /** Signs a new JWT, bypassing the cache. */
  sign(): Promise<string>;
}

/** Creates the project authenticator for a set of credentials. */
export function createProjectAuth(credentials: OpenTokCredentials, options: ProjectAuthOptions = {}): ProjectAuth {
  const lifetime = Math.min(options.lifetimeSeconds ?? LIMITS.projectJwtMaxLifetimeSeconds, LIMITS.projectJwtMaxLifetimeSeconds);
  if (!(lifetime > 0)) throw new RangeError('lifetimeSeconds must be positive');
  // A margin as long as the lifetime would re-sign on every call; keep at least a few seconds of reuse.
  const margin = Math.min(options.refreshMarginSeconds ?? 60, Math.max(lifetime - 5, 0));
  const reuse = options.reuse ?? true;
  const now = options.now ?? Date.now;

  let mode: 'opentok' | 'vonage';
  let projectId: string;
  let headerName: string;
  let prefix: string;
  let signAt: (iat: number) => Promise<string>;

  if ('apiKey' in credentials) {
    mode = 'opentok';
    projectId = String(credentials.apiKey);
    headerName = 'X-OPENTOK-AUTH';
    prefix = '';
    const key = new TextEncoder().encode(credentials.apiSecret);
    signAt = (iat) =>
      new SignJWT({ ist: 'project' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(projectId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetime)
        .setJti(randomUUID())
        .sign(key);
  } else {
    mode = 'vonage';
    projectId = credentials.applicationId;
    headerName = 'Authorization';
    prefix = 'Bearer ';
    let key: KeyObject;
    try {
      key = createPrivateKey(credentials.privateKey);
    } catch {
      // Never echo the key material: say only what is wrong with it.
      throw new TypeError('privateKey is not a valid PEM private key');
    }
    signAt = (iat) =>
      new SignJWT({ application_id: projectId })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetime)
        .setJti(randomUUID())
        .sign(key);
  }

  let cached: { jwt: string; exp: number } | null = null;
  let inflight: Promise<string> | null = null;

  const sign = (): Promise<string> => signAt(Math.floor(now() / 1000));

  const current = (): Promise<string> => {
    if (!reuse) return sign();
    const nowSeconds = Math.floor(now() / 1000);
    if (cached !== null && cached.exp - nowSeconds > margin) return Promise.resolve(cached.jwt);
    if (inflight !== null) return inflight;
    const iat = nowSeconds;
    inflight = signAt(iat).then(
      (jwt) => {
        cached = { jwt, exp: iat + lifetime };
        inflight = null;
        return jwt;
      },
      (error: unknown) => {
        inflight = null;
        throw error;
      },
    );
    return inflight;
  };

  return {
    mode,
    projectId,
    async header() {
      return [headerName, prefix + (await current())] as const;
    },
    sign,
  };
}
