/**
 * Client tokens against the official `opentok` npm package, in both directions:
 * tokens we mint pass the official package's own decoding and verification rules
 * (opentok-token's T1 test helpers, jsonwebtoken as its JWT library), and tokens the official
 * package mints pass our `verifyToken`. Also round trips, the Vonage RS256 form, session
 * ownership and every token option rule.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createOpenTokClient,
  createTokenGenerator,
  encodeSessionId,
  OpenTokTokenError,
  OpenTokValidationError,
  validateTokenOptions,
  verifyToken,
  type TokenOptions,
} from '../src/client/index.js';

// The official package and the libraries it decodes with, resolved from its own install.
const require = createRequire(import.meta.url);
const opentokRequire = createRequire(require.resolve('opentok'));
const OpenTok = require('opentok') as new (key: string, secret: string) => { generateToken(sid: string, opts?: Record<string, unknown>, t1?: boolean): string };
const t1Helpers = opentokRequire('opentok-token/helpers.js') as {
  decodeToken(token: string): Record<string, string>;
  verifyTokenSignature(token: string, secret: string): boolean;
};
const jsonwebtoken = opentokRequire('jsonwebtoken') as { verify(token: string, secret: string | Buffer, options?: object): Record<string, unknown> };

const API_KEY = '123456';
const API_SECRET = '1234567890abcdef1234567890abcdef1234567890';
const KEYS = { apiKey: API_KEY, apiSecret: API_SECRET };
const SESSION = encodeSessionId({ projectId: API_KEY, location: '12.34.56.78', createdAt: new Date('2026-12-04T19:00:00Z') });
const OTHER_SESSION = encodeSessionId({ projectId: '999999' });
const official = new OpenTok(API_KEY, API_SECRET);
const ours = createTokenGenerator(KEYS);
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function t1Parts(token: string): { head: string; data: string } {
  const decoded = Buffer.from(token.slice(4), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { head: decoded.slice(0, colon), data: decoded.slice(colon + 1) };
}

describe('T1 tokens we mint, read with the official rules', () => {
  it('decode with opentok-token and carry a valid HMAC-SHA1 signature', () => {
    const expireTime = nowSeconds() + 3_600;
    const token = ours(SESSION, { tokenType: 'T1', role: 'moderator', expireTime, data: 'name=Johnny', initialLayoutClassList: ['focus', 'small'] });
    expect(token.startsWith('T1==')).toBe(true);
    expect(t1Helpers.verifyTokenSignature(token, API_SECRET)).toBe(true);
    expect(t1Helpers.verifyTokenSignature(token, `${API_SECRET}x`)).toBe(false);
    const decoded = t1Helpers.decodeToken(token);
    expect(decoded).toMatchObject({
      partner_id: API_KEY,
      session_id: SESSION,
      role: 'moderator',
      expire_time: String(expireTime),
      connection_data: 'name=Johnny',
      initial_layout_class_list: 'focus small',
      scope: 'session.connect',
    });
    expect(decoded.sig).toMatch(/^[0-9a-f]{40}$/);
    expect(Number(decoded.create_time)).toBeGreaterThan(nowSeconds() - 5);
    expect(Number(decoded.nonce)).toBeGreaterThan(0);
  });

  it('have the exact layout and field order of the official package (API.md §6.2)', () => {
    const options = { role: 'subscriber' as const, data: 'a b&c', initialLayoutClassList: ['x', 'y'] };
    const mine = t1Parts(ours(SESSION, { ...options, tokenType: 'T1' }));
    const theirs = t1Parts(official.generateToken(SESSION, options, true));
    expect(mine.head).toMatch(new RegExp(`^partner_id=${API_KEY}&sig=[0-9a-f]{40}$`));
    const keys = (data: string): string[] => data.split('&').map((pair) => pair.split('=')[0]!);
    expect(keys(mine.data)).toEqual(keys(theirs.data));
    expect(keys(mine.data)).toEqual(['session_id', 'create_time', 'nonce', 'role', 'expire_time', 'connection_data', 'initial_layout_class_list', 'scope']);
    // Same percent-encoding as querystring.stringify: spaces as %20, & and = escaped.
    expect(mine.data).toContain('&connection_data=a%20b%26c&initial_layout_class_list=x%20y&scope=session.connect');
    const field = (data: string, key: string): string | null => new URLSearchParams(data).get(key);
    for (const key of ['session_id', 'role', 'connection_data', 'initial_layout_class_list', 'scope']) {
      expect(field(mine.data, key), key).toBe(field(theirs.data, key));
    }
    expect(Math.abs(Number(field(mine.data, 'expire_time')) - Number(field(theirs.data, 'expire_time')))).toBeLessThanOrEqual(1);
  });
});

describe('JWT tokens we mint, read with the official rules', () => {
  it('verify with jsonwebtoken (the official package signs with it) and carry the Node claim set', () => {
    const token = ours(SESSION, { role: 'publisheronly', data: 'd', initialLayoutClassList: 'full' });
    const mine = jsonwebtoken.verify(token, API_SECRET, { algorithms: ['HS256'] });
    const theirs = jsonwebtoken.verify(official.generateToken(SESSION, { role: 'publisheronly', data: 'd', initialLayoutClassList: 'full' }), API_SECRET);
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    expect(mine).toMatchObject({ iss: API_KEY, ist: 'project', session_id: SESSION, role: 'publisheronly', connection_data: 'd', initial_layout_class_list: 'full', scope: 'session.connect' });
    expect(mine.exp).toBe(mine.expire_time);
    expect(() => jsonwebtoken.verify(token, 'wrong-secret')).toThrow(/invalid signature/);
  });
});

describe('tokens the official package mints pass our verifyToken', () => {
  it.each([false, true])('T1 = %s', async (t1) => {
    const expireTime = nowSeconds() + 7_200;
    const token = official.generateToken(SESSION, { role: 'moderator', expireTime, data: 'user=42', initialLayoutClassList: ['a', 'b'] }, t1);
    const verified = await verifyToken(token, KEYS, { sessionId: SESSION });
    expect(verified).toMatchObject({
      format: t1 ? 'T1' : 'JWT',
      projectId: API_KEY,
      sessionId: SESSION,
      role: 'moderator',
      expireTime,
      data: 'user=42',
      initialLayoutClassList: ['a', 'b'],
    });
  });

  it('rejects official tokens checked with the wrong secret, key, session or clock', async () => {
    for (const t1 of [false, true]) {
      const token = official.generateToken(SESSION, {}, t1);
      await expect(verifyToken(token, { apiKey: API_KEY, apiSecret: 'nope' })).rejects.toMatchObject({ reason: 'BAD_SIGNATURE' });
      await expect(verifyToken(token, { apiKey: '654321', apiSecret: API_SECRET })).rejects.toMatchObject({ reason: 'WRONG_PROJECT' });
      await expect(verifyToken(token, KEYS, { sessionId: OTHER_SESSION })).rejects.toMatchObject({ reason: 'SESSION_MISMATCH' });
      await expect(verifyToken(token, KEYS, { now: new Date(Date.now() + 2 * 86_400_000) })).rejects.toMatchObject({ reason: 'EXPIRED' });
    }
  });
});

describe('round trips through verifyToken', () => {
  const roles = ['subscriber', 'publisher', 'publisheronly', 'moderator'] as const;
  it.each(roles.flatMap((role) => (['JWT', 'T1'] as const).map((tokenType) => [role, tokenType] as const)))('%s as %s', async (role, tokenType) => {
    const expireTime = new Date(Date.now() + 3_600_000);
    const token = createOpenTokClient({ ...KEYS }).generateToken(SESSION, { role, tokenType, expireTime, data: 'ünïcode ✓', initialLayoutClassList: ['one', 'two'] });
    const verified = await verifyToken(token, KEYS, { sessionId: SESSION });
    expect(verified).toEqual({
      format: tokenType,
      projectId: API_KEY,
      sessionId: SESSION,
      role,
      expireTime: Math.round(expireTime.getTime() / 1000),
      issuedAt: verified.issuedAt,
      data: 'ünïcode ✓',
      initialLayoutClassList: ['one', 'two'],
    });
    expect(Math.abs(verified.issuedAt! - nowSeconds())).toBeLessThanOrEqual(2);
  });

  it('defaults to a publisher JWT valid for 24 hours', async () => {
    const verified = await verifyToken(ours(SESSION), KEYS);
    expect(verified.format).toBe('JWT');
    expect(verified.role).toBe('publisher');
    expect(verified.expireTime! - verified.issuedAt!).toBe(86_400);
    expect(verified.data).toBeNull();
  });

  it('detects a tampered token', async () => {
    const jwt = ours(SESSION, { role: 'subscriber' });
    const [h, p, s] = jwt.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'moderator' })).toString('base64url')}.${s}`;
    await expect(verifyToken(forged, KEYS)).rejects.toMatchObject({ reason: 'BAD_SIGNATURE' });
    const t1 = ours(SESSION, { tokenType: 'T1', role: 'subscriber' });
    const tampered = `T1==${Buffer.from(Buffer.from(t1.slice(4), 'base64').toString().replace('role=subscriber', 'role=moderator')).toString('base64')}`;
    await expect(verifyToken(tampered, KEYS)).rejects.toBeInstanceOf(OpenTokTokenError);
    await expect(verifyToken('garbage', KEYS)).rejects.toMatchObject({ reason: 'MALFORMED' });
  });

  it('accepts a Ruby-style JWT without exp, giving it the 24-hour server default', async () => {
    const iat = nowSeconds() - 60;
    const ruby = await new SignJWT({ iss: API_KEY, ist: 'project', iat, nonce: 0.5, role: 'subscriber', scope: 'session.connect', session_id: SESSION })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
      .sign(new TextEncoder().encode(API_SECRET));
    await expect(verifyToken(ruby, KEYS)).resolves.toMatchObject({ role: 'subscriber', expireTime: null, issuedAt: iat });
    await expect(verifyToken(ruby, KEYS, { now: new Date((iat + 86_401) * 1000) })).rejects.toMatchObject({ reason: 'EXPIRED' });
  });
});

describe('Vonage RS256 client tokens', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const applicationId = '5f0a3c2e-8d1b-4c7a-9e6f-2b3c4d5e6f70';
  const vonageSession = '2_MX4xMDB-flR1ZSBOb3YgMTkgMTE6MDk6NTggUFNUIDIwMTN-MC4zNzQxNzIxNX4';

  it('mints tokens that verify with the public key and carry the Vonage claims', async () => {
    const client = createOpenTokClient({ applicationId, privateKey });
    const token = client.generateToken(vonageSession, { role: 'moderator', data: 'x', tokenType: 'T1' });
    const { payload, protectedHeader } = await jwtVerify(token, (await import('node:crypto')).createPublicKey(publicKey), { algorithms: ['RS256'] });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({ application_id: applicationId, scope: 'session.connect', session_id: vonageSession, role: 'moderator', sub: 'video', connection_data: 'x', acl: { paths: { '/session/**': {} } } });
    expect(typeof payload.jti).toBe('string');
    const verified = await verifyToken(token, { applicationId, publicKey }, { sessionId: vonageSession });
    expect(verified).toMatchObject({ format: 'VONAGE', projectId: applicationId, role: 'moderator', data: 'x' });
    await expect(verifyToken(token, { applicationId: 'other', publicKey })).rejects.toMatchObject({ reason: 'WRONG_PROJECT' });
  });

  it('verifies tokens the official package mints in Vonage mode', async () => {
    const vonageOfficial = new OpenTok(applicationId, privateKey);
    const token = vonageOfficial.generateToken(vonageSession, { role: 'subscriber', data: 'from-node-sdk' });
    await expect(verifyToken(token, { applicationId, publicKey }, { sessionId: vonageSession })).resolves.toMatchObject({
      format: 'VONAGE',
      role: 'subscriber',
      data: 'from-node-sdk',
    });
  });
});

describe('token option rules (API.md §6.5)', () => {
  const cases: [string, TokenOptions, string, RegExp][] = [
    ['an unknown role', { role: 'admin' as never }, 'role', /role must be one of subscriber, publisher, publisheronly, moderator; got "admin"/],
    ['an expiry in the past', { expireTime: nowSeconds() - 10 }, 'expireTime', /expireTime must be in the future/],
    ['an expiry beyond 30 days', { expireTime: nowSeconds() + 31 * 86_400 }, 'expireTime', /within the next 30 days/],
    ['a non-numeric expiry', { expireTime: 'tomorrow' as never }, 'expireTime', /epoch seconds or a Date/],
    ['connection data of 1000 characters', { data: 'x'.repeat(1_000) }, 'data', /less than 1000 characters; got 1000/],
    ['non-string data', { data: 42 as never }, 'data', /data must be a string/],
    ['a class list over 1024 characters', { initialLayoutClassList: ['a'.repeat(1_025)] }, 'initialLayoutClassList', /at most 1024 characters/],
    ['a class list with a non-string', { initialLayoutClassList: [1 as never] }, 'initialLayoutClassList', /only strings/],
    ['an unknown token type', { tokenType: 'T2' as never }, 'tokenType', /tokenType must be one of JWT, T1/],
  ];

  it.each(cases)('rejects %s, naming the field', (_, options, field, message) => {
    let error: unknown;
    try {
      ours(SESSION, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OpenTokValidationError);
    expect(error).toMatchObject({ field, operation: 'generateToken' });
    expect((error as Error).message).toMatch(message);
    expect(() => validateTokenOptions(SESSION, options)).toThrow(message);
  });

  it('accepts the limits themselves and lowercase token types', () => {
    expect(() => ours(SESSION, { data: 'x'.repeat(999), expireTime: nowSeconds() + 30 * 86_400 - 5, tokenType: 't1' as never })).not.toThrow();
  });

  it('refuses sessions of another API key and ids that are not session ids', () => {
    expect(() => ours(OTHER_SESSION)).toThrow(/does not belong to API key 123456/);
    expect(() => ours('not-a-session-id')).toThrow(/not a valid OpenTok session id/);
    expect(() => ours('')).toThrow(OpenTokValidationError);
    // The ownership answer is cached per id; a foreign id must still fail the second time.
    expect(() => ours(OTHER_SESSION)).toThrow(/does not belong/);
  });
});
