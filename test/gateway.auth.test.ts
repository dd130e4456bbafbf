/**
 * Caller authentication (GATEWAY_JWT_SECRET): UNAUTHENTICATED without a valid token (401),
 * FORBIDDEN without the scope an operation needs (403), and nothing reaches OpenTok then.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { loadConfig } from '../src/server/config.js';
import { createGateway, type Gateway } from '../src/server/gateway.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
let emulator: RunningEmulator;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const client = createOpenTokClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, apiUrl: emulator.url, retry: { retries: 0 } });
  gateway = createGateway({ client, auth: { secret: SECRET, issuer: 'https://auth.example.com' } });
  url = `${await gateway.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(async () => {
  await gateway?.close();
  await emulator?.close();
});

async function token(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string; issuer?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setIssuer(options.issuer ?? 'https://auth.example.com')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

async function post(query: string, bearer?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: any; errors?: any[] } };
}

const requestsServed = async () => ((await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as { total: number }).total;

describe('caller authentication', () => {
  it('UNAUTHENTICATED (401) without a token, with a bad, expired or foreign one', async () => {
    const before = await requestsServed();
    const cases = [
      undefined,
      'not-a-jwt',
      await token({ scope: 'opentok:read' }, { secret: 'another-secret-that-is-long-enough-0123456789' }),
      await token({ scope: 'opentok:read' }, { expiresIn: '-1m' }),
      await token({ scope: 'opentok:read' }, { issuer: 'https://evil.example.com' }),
    ];
    for (const bearer of cases) {
      const { status, headers, body } = await post('{ archives { totalCount } }', bearer);
      expect(status).toBe(401);
      expect(headers.get('www-authenticate')).toBe('Bearer');
      expect(body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body.errors![0].extensions.http).toBeUndefined();
    }
    expect(await requestsServed()).toBe(before);
  });

  it('FORBIDDEN (403) for a mutation with a read-only token; allowed with opentok:write', async () => {
    const reader = await token({ scope: 'opentok:read' });
    expect((await post('{ archives { totalCount } }', reader)).body).toEqual({ data: { archives: { totalCount: 0 } } });

    const denied = await post('mutation { createSession { id } }', reader);
    expect(denied.status).toBe(403);
    expect(denied.body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(denied.body.errors![0].message).toMatch(/opentok:write/);

    const writer = await token({ scope: 'opentok:read opentok:write' });
    const created = await post('mutation { createSession { id } }', writer);
    expect(created.status).toBe(200);
    expect(created.body.data.createSession.id).toMatch(/^1_/);

    const noScopes = await post('{ archives { totalCount } }', await token({}));
    expect(noScopes.status).toBe(403);
    expect(noScopes.body.errors![0].extensions.code).toBe('FORBIDDEN');
  });

  it('is configured by GATEWAY_JWT_SECRET (at least 32 characters)', () => {
    expect(loadConfig({}).auth).toBeNull();
    expect(loadConfig({ GATEWAY_JWT_SECRET: SECRET, GATEWAY_JWT_AUDIENCE: 'gw' }).auth).toEqual({ secret: SECRET, issuer: undefined, audience: 'gw' });
    expect(() => loadConfig({ GATEWAY_JWT_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });
});
