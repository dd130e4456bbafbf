/**
 * Rate limiting per principal (per IP for anonymous callers): over the limit → RATE_LIMITED with
 * `retryAfterSeconds` and a Retry-After header (429); counters in memory, or in Redis shared by
 * instances, counted atomically.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { loadConfig } from '../src/server/config.js';
import { hsToken, HS_SECRET, jwtAuth, securedGateway, type PostResult, type SecuredGateway } from './support/auth.js';
import { ensureRedis } from './support/redis.js';

const AUTH = jwtAuth({ kind: 'hs256', secret: HS_SECRET });
const QUERY = '{ archives { totalCount } }';
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.close());

function expectLimited(r: PostResult) {
  expect(r.status).toBe(429);
  expect(r.body.errors![0]!.extensions.code).toBe('RATE_LIMITED');
  const retry = r.body.errors![0]!.extensions.retryAfterSeconds as number;
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(r.headers.get('retry-after')).toBe(String(retry));
}

describe('in memory', () => {
  let t: SecuredGateway;
  beforeAll(async () => {
    t = await securedGateway(AUTH, { emulator, listen: true, security: { rateLimit: { max: 3, windowMs: 60_000, trustProxy: false } } });
  });
  afterAll(() => t?.close());

  it('counts per principal: the 4th operation of one user is limited, another user is not', async () => {
    const alice = await hsToken({}, { subject: 'alice' });
    for (let i = 0; i < 3; i++) expect((await t.post(QUERY, { bearer: alice })).status).toBe(200);
    const limited = await t.post(QUERY, { bearer: alice });
    expectLimited(limited);
    expect(limited.body.errors![0]!.extensions.retryAfterSeconds).toBeLessThanOrEqual(60);
    // A fresh token of the same subject is the same principal.
    expectLimited(await t.post(QUERY, { bearer: await hsToken({}, { subject: 'alice' }) }));
    expect((await t.post(QUERY, { bearer: await hsToken({}, { subject: 'bob' }) })).status).toBe(200);
  });

  it('mutations count too, and a limited mutation does not reach OpenTok', async () => {
    const carol = await hsToken({}, { subject: 'carol' });
    for (let i = 0; i < 3; i++) expect((await t.post('mutation { createSession { id } }', { bearer: carol })).status).toBe(200);
    const before = ((await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as { total: number }).total;
    expectLimited(await t.post('mutation { createSession { id } }', { bearer: carol }));
    expect(((await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as { total: number }).total).toBe(before);
  });

  it('anonymous callers are counted per IP (X-Forwarded-For only when the proxy is trusted)', async () => {
    const open = await securedGateway(null, { emulator, listen: true, security: { rateLimit: { max: 2, windowMs: 60_000, trustProxy: false } } });
    const proxied = await securedGateway(null, { emulator, listen: true, security: { rateLimit: { max: 2, windowMs: 60_000, trustProxy: true } } });
    try {
      // Untrusted: a forged X-Forwarded-For does not buy a new bucket.
      for (let i = 0; i < 2; i++) expect((await open.post(QUERY, { headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status).toBe(200);
      expectLimited(await open.post(QUERY, { headers: { 'x-forwarded-for': '10.0.0.99' } }));
      // Trusted proxy: each client IP has its own bucket.
      for (let i = 0; i < 2; i++) expect((await proxied.post(QUERY, { headers: { 'x-forwarded-for': '10.0.0.1' } })).status).toBe(200);
      expectLimited(await proxied.post(QUERY, { headers: { 'x-forwarded-for': '10.0.0.1, 172.16.0.1' } }));
      expect((await proxied.post(QUERY, { headers: { 'x-forwarded-for': '10.0.0.2' } })).status).toBe(200);
    } finally {
      await open.close();
      await proxied.close();
    }
  });

  it('callers with invalid tokens are counted per IP, so token guessing is limited too', async () => {
    const guarded = await securedGateway(AUTH, { emulator, listen: true, security: { rateLimit: { max: 3, windowMs: 60_000, trustProxy: false } } });
    try {
      for (let i = 0; i < 3; i++) expect((await guarded.post(QUERY, { bearer: `forged.${i}.token` })).status).toBe(401);
      expectLimited(await guarded.post(QUERY, { bearer: 'forged.4.token' }));
      expectLimited(await guarded.post(QUERY));
      // A valid caller has its own bucket.
      expect((await guarded.post(QUERY, { bearer: await hsToken({}, { subject: 'erin' }) })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('the window resets', async () => {
    const short = await securedGateway(AUTH, { emulator, security: { rateLimit: { max: 1, windowMs: 300, trustProxy: false } } });
    try {
      const dave = await hsToken({}, { subject: 'dave' });
      expect((await short.post(QUERY, { bearer: dave })).status).toBe(200);
      expectLimited(await short.post(QUERY, { bearer: dave }));
      await new Promise((r) => setTimeout(r, 350));
      expect((await short.post(QUERY, { bearer: dave })).status).toBe(200);
    } finally {
      await short.close();
    }
  });

  it('is configured by RATE_LIMIT_MAX / RATE_LIMIT_WINDOW_MS (0 = off)', () => {
    expect(loadConfig({}).security.rateLimit).toEqual({ max: 300, windowMs: 60_000, trustProxy: false });
    expect(loadConfig({ RATE_LIMIT_MAX: '10', RATE_LIMIT_WINDOW_MS: '1000', TRUST_PROXY: 'true' }).security.rateLimit).toEqual({ max: 10, windowMs: 1000, trustProxy: true });
    expect(loadConfig({ RATE_LIMIT_MAX: '0' }).security.rateLimit).toBeNull();
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
  });
});

describe('in Redis, shared by instances', () => {
  let redisUrl: string;
  let a: SecuredGateway;
  let b: SecuredGateway;
  beforeAll(async () => {
    redisUrl = await ensureRedis();
    const security = { redisUrl, rateLimit: { max: 5, windowMs: 60_000, trustProxy: false } };
    a = await securedGateway(AUTH, { emulator, listen: true, security });
    b = await securedGateway(AUTH, { emulator, listen: true, security });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('two instances share one counter per principal, with an expiry', async () => {
    const subject = `redis-${randomUUID()}`;
    const token = await hsToken({}, { subject });
    for (let i = 0; i < 5; i++) expect((await (i % 2 ? a : b).post(QUERY, { bearer: token })).status).toBe(200);
    expectLimited(await a.post(QUERY, { bearer: token }));
    expectLimited(await b.post(QUERY, { bearer: token }));
    const redis = new Redis(redisUrl);
    try {
      const ttl = await redis.pttl(`otgw:rl:sub:${subject}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      redis.disconnect();
    }
  });

  it('concurrent operations on both instances: exactly the limit passes (atomic counting)', async () => {
    const token = await hsToken({}, { subject: `burst-${randomUUID()}` });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).post(QUERY, { bearer: token })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(25);
  });

  it('with Redis unreachable, the limit still holds (counted in memory)', async () => {
    const down = await securedGateway(AUTH, { emulator, security: { redisUrl: 'redis://127.0.0.1:1', rateLimit: { max: 2, windowMs: 60_000, trustProxy: false } } });
    try {
      const token = await hsToken({}, { subject: 'no-redis' });
      expect((await down.post(QUERY, { bearer: token })).status).toBe(200);
      expect((await down.post(QUERY, { bearer: token })).status).toBe(200);
      expectLimited(await down.post(QUERY, { bearer: token }));
    } finally {
      await down.close();
    }
  });
});
