/**
 * Gateways with authentication on, in front of a real emulator, and real tokens for them.
 */
import { SignJWT, type JWTPayload } from 'jose';
import { createOpenTokClient } from '../../src/client/index.js';
import type { OpenTokClient } from '../../src/client/types.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { AuthConfig, JwtAuthConfig } from '../../src/server/auth.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/gateway.js';

export const HS_SECRET = 'a-test-secret-that-is-long-enough-0123456789';
export const ISSUER = 'https://auth.example.com';
export const AUDIENCE = 'opentok-gateway';
export const ALL_SCOPES = 'video:read video:write video:moderate token:publish';

export function jwtAuth(key: JwtAuthConfig['key'], overrides: Partial<JwtAuthConfig> = {}): JwtAuthConfig {
  return { mode: 'jwt', key, issuer: ISSUER, audience: AUDIENCE, scopeClaim: 'scope', sessionsClaim: 'sessions', clockToleranceSeconds: 30, allowAnonymous: false, ...overrides };
}

export interface PostResult {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions: Record<string, any> }[] };
}

export interface SecuredGateway {
  emulator: RunningEmulator;
  client: OpenTokClient;
  gateway: Gateway;
  /** Base URL when listening (`listen: true`), else null. */
  url: string | null;
  post(query: string, options?: { bearer?: string; variables?: Record<string, unknown>; headers?: Record<string, string> }): Promise<PostResult>;
  close(): Promise<void>;
}

export async function securedGateway(auth: AuthConfig | null, options: Omit<GatewayOptions, 'client' | 'auth'> & { listen?: boolean; emulator?: RunningEmulator } = {}): Promise<SecuredGateway> {
  const { listen, emulator: given, ...rest } = options;
  const emulator = given ?? (await startEmulator());
  const client = createOpenTokClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, apiUrl: emulator.url, retry: { retries: 0 } });
  const gateway = createGateway({ client, auth, ...rest });
  const url = listen ? await gateway.listen(0, '127.0.0.1') : null;
  return {
    emulator,
    client,
    gateway,
    url,
    async post(query, { bearer, variables, headers = {} } = {}) {
      const init: RequestInit = {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      };
      const response = url ? await fetch(`${url}/graphql`, init) : await gateway.yoga.fetch('http://gateway/graphql', init);
      const text = await response.text();
      let body: PostResult['body'];
      try {
        body = JSON.parse(text) as PostResult['body'];
      } catch {
        body = { errors: [{ message: text, extensions: { code: 'NOT_JSON' } }] };
      }
      return { status: response.status, headers: response.headers, body };
    },
    async close() {
      await gateway.close();
      if (!given) await emulator.close();
    },
  };
}

/** An HS256 token for the test issuer and audience; override anything. */
export function hsToken(claims: JWTPayload = {}, options: { secret?: string; issuer?: string; audience?: string; expiresIn?: string | number; notBefore?: string | number; subject?: string } = {}): Promise<string> {
  const jwt = new SignJWT({ scope: ALL_SCOPES, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? 'user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m');
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(new TextEncoder().encode(options.secret ?? HS_SECRET));
}

export const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
