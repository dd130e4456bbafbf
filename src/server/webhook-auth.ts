/**
 * Whether an OpenTok callback is authentic (CALLBACKS.md §10). Three ways, any one suffices:
 * - Vonage signed callbacks: `Authorization: Bearer <HS256 JWT>` issued by "Vonage" with the
 *   signature secret, whose `payload_hash` is the SHA-256 of the exact body bytes;
 * - legacy OpenTok: a secret in the callback URL path (`/webhooks/opentok/<secret>`);
 * - legacy OpenTok: basic auth in the callback URL (`https://user:password@host/...`).
 * With none configured, callbacks are refused unless the caller said so explicitly
 * (`allowUnauthenticated`, the library default of a gateway built without any secret).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { jwtVerify } from 'jose';

export interface CallbackAuthConfig {
  /** The signature secret of Vonage signed callbacks. */
  signatureSecret: string | null;
  /** The secret path segment of legacy callbacks: `/webhooks/opentok/<pathSecret>`. */
  pathSecret?: string | null;
  /** `user:password` of legacy callbacks with basic auth. */
  basicAuth?: string | null;
  /** Accept callbacks that prove nothing; only when no secret is configured at all. */
  allowUnauthenticated?: boolean;
}

export type CallbackVerdict = { ok: true; via: 'signature' | 'path-secret' | 'basic-auth' | 'unauthenticated' } | { ok: false; reason: string };

function sameSecret(given: string, expected: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

async function signatureVerdict(authorization: string, body: string, secret: string): Promise<CallbackVerdict> {
  const token = authorization.replace(/^Bearer\s+/i, '').trim();
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], issuer: 'Vonage', clockTolerance: 300 });
    const hash = createHash('sha256').update(body, 'utf8').digest('hex');
    if (typeof payload.payload_hash !== 'string' || payload.payload_hash.toLowerCase() !== hash) return { ok: false, reason: 'The payload_hash does not match the body' };
    return { ok: true, via: 'signature' };
  } catch {
    return { ok: false, reason: 'The callback signature is not valid' };
  }
}

/** The path segment after `/webhooks/opentok/`, or null for the bare route. */
export function pathSecretOf(pathname: string, base: string): string | null {
  if (!pathname.startsWith(`${base}/`)) return null;
  return decodeURIComponent(pathname.slice(base.length + 1).replace(/\/+$/, ''));
}

/**
 * Decides whether one callback is authentic. `rawBody` is the exact text received (the signature
 * covers its bytes). `base` is the route (`/webhooks/opentok`), to find a path secret after it.
 */
export async function verifyCallback(request: Request, rawBody: string, config: CallbackAuthConfig, base = '/webhooks/opentok'): Promise<CallbackVerdict> {
  const url = new URL(request.url);
  const pathSecret = pathSecretOf(url.pathname, base);
  // A path with a segment is only ever the legacy secret route: a wrong segment is refused even
  // when other methods are configured, so a guessed URL never falls through.
  if (pathSecret !== null) {
    if (config.pathSecret && sameSecret(pathSecret, config.pathSecret)) return { ok: true, via: 'path-secret' };
    return { ok: false, reason: 'Unknown callback path' };
  }
  const authorization = request.headers.get('authorization');
  if (authorization && /^Basic\s/i.test(authorization)) {
    if (!config.basicAuth) return { ok: false, reason: 'Basic auth is not configured for callbacks' };
    let given = '';
    try {
      given = Buffer.from(authorization.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    } catch {
      return { ok: false, reason: 'Malformed basic auth' };
    }
    return sameSecret(given, config.basicAuth) ? { ok: true, via: 'basic-auth' } : { ok: false, reason: 'Wrong basic auth credentials' };
  }
  if (config.signatureSecret) {
    if (!authorization) return { ok: false, reason: 'Unsigned callback: an Authorization header with the signature JWT is required' };
    return signatureVerdict(authorization, rawBody, config.signatureSecret);
  }
  const anyConfigured = Boolean(config.pathSecret || config.basicAuth);
  if (!anyConfigured && config.allowUnauthenticated) return { ok: true, via: 'unauthenticated' };
  return { ok: false, reason: anyConfigured ? 'Callback without credentials' : 'Callbacks are not accepted: configure OPENTOK_CALLBACK_SECRET, OPENTOK_CALLBACK_PATH_SECRET or OPENTOK_CALLBACK_BASIC_AUTH' };
}
