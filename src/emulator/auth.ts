/**
 * REST authentication as the platform does it (API.md §2): the OpenTok project JWT in
 * `X-OPENTOK-AUTH` (HS256 with the project secret; `ist` in the payload or the JOSE header) and
 * the Vonage application JWT in `Authorization: Bearer` (RS256 with the application key).
 *
 * Verification uses node:crypto directly and remembers verdicts per token string until the
 * token expires: SDKs mint a fresh JWT per call, but load generators and the gateway reuse one,
 * and a cache hit costs one Map lookup instead of an HMAC and two JSON parses.
 *
 * Project JWTs are checked against the real wall clock, not the emulator clock: SDKs mint them
 * from real time, so advancing the emulator clock (for archive lifecycles) must not make every
 * SDK call fail. Client tokens (simulated clients) use the emulator clock instead.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { LIMITS } from '../client/constants.js';
import { HttpError } from './http.js';

export interface ProjectKeys {
  apiKey: string;
  apiSecret: string;
  applicationId?: string;
  publicKey?: KeyObject;
}

/** Allowed clock skew between the JWT minter and us. */
const SKEW_SECONDS = 60;
const CACHE_MAX = 10_000;

interface Verdict {
  /** The project the token speaks for (`iss` or `application_id`); null for a rejected token. */
  project: string | null;
  /** Epoch ms after which the verdict must be recomputed. */
  validUntil: number;
  /** Rejection message for a bad token. */
  message?: string;
}

const authError = (message: string): HttpError => new HttpError(403, message, { description: message }, -1);

export function loadPublicKey(pem: string): KeyObject {
  // createPublicKey also derives the public half from a private PEM, which callers often hold.
  return createPublicKey(pem);
}

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A compact JWS split into its parts, or why it is not one (or not signed with `alg`). */
type DecodedJws =
  | { signingInput: string; signature: Buffer; header: Record<string, unknown>; payload: Record<string, unknown> }
  | { problem: string };

function decodeJws(token: string, alg: 'HS256' | 'RS256'): DecodedJws {
  const parts = token.split('.');
  if (parts.length !== 3) return { problem: 'Invalid token' };
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h);
  const payload = decodeJson(p);
  if (header === null || payload === null) return { problem: 'Invalid token' };
  if (header.alg !== alg) return { problem: `Invalid token: the algorithm must be ${alg}` };
  return { signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url'), header, payload };
}

export class ProjectAuth {
  private readonly cache = new Map<string, Verdict>();
  private readonly secret: Buffer;

  constructor(private readonly keys: ProjectKeys) {
    this.secret = Buffer.from(keys.apiSecret, 'utf8');
  }

  /** Project ids this emulator answers for (API key, and the Vonage application id if any). */
  isProject(id: string): boolean {
    return id === this.keys.apiKey || (this.keys.applicationId !== undefined && id === this.keys.applicationId);
  }

  /**
   * Checks the request's credentials and returns the project id they speak for.
   * `pathProject` is the `{apiKey}` path segment, or null for `/session/create`.
   */
  authenticate(headers: IncomingHttpHeaders, pathProject: string | null): string {
    const opentok = headers['x-opentok-auth'];
    let token: string | undefined;
    let vonage = false;
    if (typeof opentok === 'string' && opentok !== '') {
      token = opentok;
    } else {
      const authorization = headers.authorization;
      if (typeof authorization === 'string' && authorization.startsWith('Bearer ') && this.keys.publicKey !== undefined) {
        token = authorization.slice(7).trim();
        vonage = true;
      }
    }
    if (token === undefined) throw authError('No suitable authentication found');

    const now = Date.now();
    let verdict = this.cache.get(token);
    if (verdict === undefined || verdict.validUntil <= now) {
      verdict = vonage ? this.verifyVonage(token, now) : this.verifyOpenTok(token, now);
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(token, verdict);
    }
    if (verdict.project === null) throw authError(verdict.message ?? 'Invalid token');
    if (pathProject !== null && pathProject !== verdict.project) {
      throw authError(this.isProject(pathProject) ? 'The token was issued for another project' : 'Issuer not found');
    }
    return verdict.project;
  }

  private reject(message: string, now: number): Verdict {
    // Remember rejections briefly: a client hammering with a bad token costs one lookup.
    return { project: null, validUntil: now + 60_000, message };
  }

  private verifyOpenTok(token: string, now: number): Verdict {
    const jws = decodeJws(token, 'HS256');
    if ('problem' in jws) return this.reject(jws.problem, now);
    const { header, payload, signature: given } = jws;
    const expected = createHmac('sha256', this.secret).update(jws.signingInput).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return this.reject('Invalid token signature', now);

    const iss = payload.iss;
    if (typeof iss !== 'string' && typeof iss !== 'number') return this.reject('Invalid token: iss claim is required', now);
    if (String(iss) !== this.keys.apiKey) return this.reject('Issuer not found', now);
    // Ruby puts `ist` in the JOSE header, Node in the payload; both reach production.
    const ist = payload.ist ?? header.ist ?? 'project';
    if (ist !== 'project') return this.reject(`Invalid token: ist must be "project" for project calls (got ${JSON.stringify(ist)})`, now);
    return this.checkTimes(payload, now, String(iss));
  }

  private verifyVonage(token: string, now: number): Verdict {
    const jws = decodeJws(token, 'RS256');
    if ('problem' in jws) return this.reject(jws.problem, now);
    const { payload } = jws;
    let ok = false;
    try {
      ok = verifySignature('sha256', Buffer.from(jws.signingInput), this.keys.publicKey!, jws.signature);
    } catch {
      ok = false;
    }
    if (!ok) return this.reject('Invalid token signature', now);
    // @vonage/jwt sends application_id; the Node SDK in Vonage mode sends both it and iss.
    const app = payload.application_id ?? payload.iss;
    if (typeof app !== 'string' || app !== this.keys.applicationId) return this.reject('Issuer not found', now);
    return this.checkTimes(payload, now, app, /* vonage */ true);
  }

  private checkTimes(payload: Record<string, unknown>, now: number, project: string, vonage = false): Verdict {
    const nowS = now / 1000;
    const exp = payload.exp;
    if (typeof exp !== 'number') return this.reject('Invalid token: exp claim is required', now);
    if (exp <= nowS) return { project: null, validUntil: Infinity, message: 'Token expired' };
    const iat = payload.iat;
    if (typeof iat === 'number' && iat > nowS + SKEW_SECONDS) return this.reject('Invalid token: iat is in the future', now);
    // Project JWTs live at most 5 minutes (documented); Vonage application JWTs default to 15.
    const maxLifetime = vonage ? 24 * 3600 : LIMITS.projectJwtMaxLifetimeSeconds;
    if (exp > nowS + maxLifetime + SKEW_SECONDS) {
      return this.reject(`Invalid token: exp is more than ${maxLifetime} seconds in the future`, now);
    }
    return { project, validUntil: exp * 1000 };
  }

  clearCache(): void {
    this.cache.clear();
  }
}
