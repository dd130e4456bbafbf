/**
 * Authentication failures, one by one, with real tokens over real HTTP: each is UNAUTHENTICATED
 * (401, WWW-Authenticate: Bearer) and nothing reaches OpenTok. Key sources: a PEM public key, an
 * HS256 secret, and a JWKS served by a local HTTP server with key rotation and an outage.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../src/server/auth.js';
import { ALL_SCOPES, AUDIENCE, b64url, hsToken, HS_SECRET, ISSUER, jwtAuth, securedGateway, type SecuredGateway } from './support/auth.js';

const QUERY = '{ archives { totalCount } }';

async function rsToken(key: CryptoKey, options: { kid?: string; issuer?: string; audience?: string; expiresIn?: string | number; notBefore?: string | number; alg?: string } = {}) {
  const jwt = new SignJWT({ scope: ALL_SCOPES })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', ...(options.kid ? { kid: options.kid } : {}) })
    .setSubject('user-rs')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m');
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(key);
}

async function requestsServed(t: SecuredGateway): Promise<number> {
  return ((await (await fetch(`${t.emulator.url}/_emulator/requests`)).json()) as { total: number }).total;
}

async function expectUnauthenticated(t: SecuredGateway, bearer: string | undefined, reason: RegExp) {
  const before = await requestsServed(t);
  const { status, headers, body } = await t.post(QUERY, bearer === undefined ? {} : { bearer });
  expect(status).toBe(401);
  expect(headers.get('www-authenticate')).toBe('Bearer');
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  expect(body.errors![0]!.message).toMatch(reason);
  expect(await requestsServed(t)).toBe(before);
}

describe('PEM public key (RS256)', () => {
  let t: SecuredGateway;
  let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
  let pem: string;
  beforeAll(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    pem = await exportSPKI(keys.publicKey);
    t = await securedGateway(jwtAuth({ kind: 'public-key', pem }), { listen: true });
  });
  afterAll(() => t?.close());

  it('accepts a valid token', async () => {
    const { status, body } = await t.post(QUERY, { bearer: await rsToken(keys.privateKey) });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { archives: { totalCount: 0 } } });
  });

  it('no token', () => expectUnauthenticated(t, undefined, /Authentication required/));
  it('not a bearer token', async () => {
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' }, body: JSON.stringify({ query: QUERY }) });
    expect(response.status).toBe(401);
  });
  it('garbage', () => expectUnauthenticated(t, 'not-a-jwt', /not valid/));
  it('bad signature (another key pair)', async () => {
    const other = await generateKeyPair('RS256');
    await expectUnauthenticated(t, await rsToken(other.privateKey), /not valid/);
  });
  it('tampered payload', async () => {
    const [h, , s] = (await rsToken(keys.privateKey)).split('.');
    await expectUnauthenticated(t, `${h}.${b64url({ sub: 'admin', scope: ALL_SCOPES, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })}.${s}`, /not valid/);
  });
  it('wrong issuer', () => rsToken(keys.privateKey, { issuer: 'https://evil.example.com' }).then((tk) => expectUnauthenticated(t, tk, /"iss"/)));
  it('wrong audience', () => rsToken(keys.privateKey, { audience: 'another-api' }).then((tk) => expectUnauthenticated(t, tk, /"aud"/)));
  it('expired (beyond the clock tolerance)', () => rsToken(keys.privateKey, { expiresIn: Math.floor(Date.now() / 1000) - 120 }).then((tk) => expectUnauthenticated(t, tk, /expired/)));
  it('not yet valid (beyond the clock tolerance)', () => rsToken(keys.privateKey, { notBefore: Math.floor(Date.now() / 1000) + 300 }).then((tk) => expectUnauthenticated(t, tk, /not valid yet/)));
  it('within the clock tolerance (expired 10 s ago, tolerance 30 s) it still passes', async () => {
    const { status } = await t.post(QUERY, { bearer: await rsToken(keys.privateKey, { expiresIn: Math.floor(Date.now() / 1000) - 10 }) });
    expect(status).toBe(200);
  });
  it('alg: none', async () => {
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'x', scope: ALL_SCOPES, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    await expectUnauthenticated(t, unsigned, /not valid|algorithm/);
  });
  it('HS256 token signed with the RS256 public key (algorithm confusion)', async () => {
    const header = b64url({ alg: 'HS256', typ: 'JWT' });
    const payload = b64url({ sub: 'x', scope: ALL_SCOPES, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 });
    const signature = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    await expectUnauthenticated(t, `${header}.${payload}.${signature}`, /algorithm|not valid/);
  });
  it('a token without exp', async () => {
    const token = await new SignJWT({ scope: ALL_SCOPES }).setProtectedHeader({ alg: 'RS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).sign(keys.privateKey);
    await expectUnauthenticated(t, token, /"exp"/);
  });
});

describe('HS256 shared secret', () => {
  let t: SecuredGateway;
  beforeAll(async () => {
    t = await securedGateway(jwtAuth({ kind: 'hs256', secret: HS_SECRET }));
  });
  afterAll(() => t?.close());

  it('accepts a valid token; refuses other secrets, issuers, audiences, and RS tokens', async () => {
    expect((await t.post(QUERY, { bearer: await hsToken() })).status).toBe(200);
    await expectUnauthenticated(t, await hsToken({}, { secret: 'another-secret-that-is-long-enough-0123456789' }), /not valid/);
    await expectUnauthenticated(t, await hsToken({}, { issuer: 'x' }), /"iss"/);
    await expectUnauthenticated(t, await hsToken({}, { audience: 'x' }), /"aud"/);
    const rs = await generateKeyPair('RS256');
    await expectUnauthenticated(t, await rsToken(rs.privateKey), /algorithm/);
  });

  it('reads scopes from a configurable claim, as a string or an array', async () => {
    const custom = await securedGateway(jwtAuth({ kind: 'hs256', secret: HS_SECRET }, { scopeClaim: 'permissions' }), { emulator: t.emulator });
    try {
      const asArray = await custom.post(QUERY, { bearer: await hsToken({ scope: undefined, permissions: ['video:read'] }) });
      expect(asArray.body.data).toEqual({ archives: { totalCount: 0 } });
      const asString = await custom.post(QUERY, { bearer: await hsToken({ scope: undefined, permissions: 'video:read video:write' }) });
      expect(asString.body.data).toEqual({ archives: { totalCount: 0 } });
      // The default claim is not read when another is configured.
      const wrongClaim = await custom.post(QUERY, { bearer: await hsToken({ scope: 'video:read' }) });
      expect(wrongClaim.body.errors![0]!.extensions.code).toBe('FORBIDDEN');
    } finally {
      await custom.close();
    }
  });
});

describe('JWKS URL', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let served: JWK[] = [];
  let fetches = 0;
  let k1: { publicKey: CryptoKey; privateKey: CryptoKey };
  let k2: { publicKey: CryptoKey; privateKey: CryptoKey };
  let t: SecuredGateway;

  beforeAll(async () => {
    k1 = await generateKeyPair('RS256', { extractable: true });
    k2 = await generateKeyPair('ES256', { extractable: true });
    served = [{ ...(await exportJWK(k1.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }];
    jwksServer = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    // No cooldown, so the rotation below is picked up at once (production default: 30 s).
    t = await securedGateway(jwtAuth({ kind: 'jwks', url: jwksUrl, cooldownMs: 0 }));
  });
  afterAll(async () => {
    await t?.close();
    jwksServer?.closeAllConnections();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it('accepts tokens signed with a published key, and caches the key set', async () => {
    const before = fetches;
    for (let i = 0; i < 3; i++) expect((await t.post(QUERY, { bearer: await rsToken(k1.privateKey, { kid: 'k1' }) })).status).toBe(200);
    expect(fetches - before).toBeLessThanOrEqual(1);
  });

  it('unknown kid → refused; after rotation the key set is refetched and the new key accepted', async () => {
    const withK2 = await new SignJWT({ scope: ALL_SCOPES }).setProtectedHeader({ alg: 'ES256', kid: 'k2' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(k2.privateKey);
    await expectUnauthenticated(t, withK2, /no key matches/);
    served = [...served, { ...(await exportJWK(k2.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' }];
    const before = fetches;
    expect((await t.post(QUERY, { bearer: withK2 })).status).toBe(200);
    expect(fetches).toBe(before + 1);
    // A key signed by nobody in the set, with a known kid, still fails.
    const forged = await rsToken((await generateKeyPair('RS256')).privateKey, { kid: 'k1' });
    await expectUnauthenticated(t, forged, /not valid/);
  });

  it('an HS256 token is never verified against a JWKS', async () => {
    await expectUnauthenticated(t, await hsToken(), /algorithm/);
  });

  it('a JWKS endpoint that is down fails closed', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/jwks.json`;
    await new Promise((resolve) => down.close(resolve));
    const dead = await securedGateway(jwtAuth({ kind: 'jwks', url: deadUrl, timeoutMs: 1000 }), { emulator: t.emulator });
    try {
      await expectUnauthenticated(dead, await rsToken(k1.privateKey, { kid: 'k1' }), /key set is unavailable/);
    } finally {
      await dead.close();
    }
    // And one answering 500.
    const failing = createServer((_req, res) => {
      res.writeHead(500);
      res.end('down');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const broken = await securedGateway(jwtAuth({ kind: 'jwks', url: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/jwks.json` }), { emulator: t.emulator });
    try {
      await expectUnauthenticated(broken, await rsToken(k1.privateKey, { kid: 'k1' }), /key set is unavailable/);
    } finally {
      await broken.close();
      await new Promise((resolve) => failing.close(resolve));
    }
  });
});

describe('the same check everywhere', () => {
  it('SSE subscriptions are refused without a valid token', async () => {
    const t = await securedGateway(jwtAuth({ kind: 'hs256', secret: HS_SECRET }));
    try {
      const query = encodeURIComponent('subscription { opentokEvents { type } }');
      const refused = await t.gateway.yoga.fetch(`http://gateway/graphql?query=${query}`, { headers: { accept: 'text/event-stream', 'graphql-require-preflight': '1' } });
      const text = await refused.text();
      expect(text).toMatch(/UNAUTHENTICATED/);
      const expired = await t.gateway.yoga.fetch(`http://gateway/graphql?query=${query}`, { headers: { accept: 'text/event-stream', 'graphql-require-preflight': '1', authorization: `Bearer ${await hsToken({}, { expiresIn: Math.floor(Date.now() / 1000) - 600 })}` } });
      expect(await expired.text()).toMatch(/UNAUTHENTICATED/);
    } finally {
      await t.close();
    }
  });

  it('authenticateToken (for graphql-ws connectionParams) takes a bare token or "Bearer …"', async () => {
    const authenticator = createAuthenticator(jwtAuth({ kind: 'hs256', secret: HS_SECRET }));
    const token = await hsToken({ scope: 'video:read', sessions: ['1_a'] });
    for (const given of [token, `Bearer ${token}`]) {
      const result = await authenticator.authenticateToken(given);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.viewer?.subject).toBe('user-1');
        expect([...result.viewer!.scopes]).toEqual(['video:read']);
        expect([...result.viewer!.sessions!]).toEqual(['1_a']);
      }
    }
    expect(await authenticator.authenticateToken(undefined)).toEqual({ ok: false, reason: expect.stringMatching(/Authentication required/) });
    expect((await authenticator.authenticateToken('Bearer x.y.z')).ok).toBe(false);
  });
});
