/**
 * Webhook ingress: a callback is published only when it proves where it comes from — a Vonage
 * signature over the exact body, the legacy secret path segment, or legacy basic auth. Anything
 * else gets 401 and nothing is published.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import { loadConfig } from '../src/server/config.js';
import { createGateway } from '../src/server/gateway.js';
import { verifyCallback } from '../src/server/webhook-auth.js';

const client = createOpenTokClient({ apiKey: '123456', apiSecret: 'secret', apiUrl: 'http://127.0.0.1:9' });
const SIGNATURE_SECRET = 'signature-secret';
const PATH_SECRET = 'legacy-path-secret-0123456789';
const BASIC = 'opentok:basic-password-123';

const sign = (body: string, options: { key?: string; hashOf?: string } = {}) =>
  new SignJWT({ jti: randomUUID(), payload_hash: createHash('sha256').update(options.hashOf ?? body).digest('hex') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setIssuer('Vonage')
    .sign(new TextEncoder().encode(options.key ?? SIGNATURE_SECRET));

let n = 0;
const callback = () => JSON.stringify({ sessionId: '1_MX4xMjM0NTZ-fjE3MjAwMDAwMDAwMDB-Zm9vYmFyfn4', event: 'connectionCreated', timestamp: 1720000000000 + n++, connection: { id: randomUUID() } });
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

function gateway(callbackAuth: { pathSecret?: string | null; basicAuth?: string | null; allowUnauthenticated?: boolean }, callbackSecret: string | null = SIGNATURE_SECRET) {
  const g = createGateway({ client, callbackSecret, security: { callbackAuth } });
  const post = (body: string, options: { path?: string; authorization?: string } = {}) =>
    g.yoga.fetch(`http://gateway${options.path ?? '/webhooks/opentok'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.authorization ? { authorization: options.authorization } : {}) },
      body,
    });
  return { g, post, published: async () => (await g.events.recent()).length };
}

describe('the webhook route accepts only authentic callbacks', () => {
  it('signed (Vonage), legacy path secret and basic auth pass; everything else is 401 and unpublished', async () => {
    const { post, published } = gateway({ pathSecret: PATH_SECRET, basicAuth: BASIC, allowUnauthenticated: false });
    const refused: [string, Promise<Response>][] = [];
    const body = callback();
    refused.push(['no credentials', Promise.resolve(post(body))]);
    refused.push(['bad signature', Promise.resolve(post(body, { authorization: `Bearer ${await sign(body, { key: 'wrong-secret' })}` }))]);
    refused.push(['payload tampered', Promise.resolve(post(body.replace('connectionCreated', 'connectionDestroyed'), { authorization: `Bearer ${await sign(body)}` }))]);
    refused.push(['hash of another body', Promise.resolve(post(body, { authorization: `Bearer ${await sign(body, { hashOf: '{}' })}` }))]);
    refused.push(['wrong path secret', Promise.resolve(post(body, { path: '/webhooks/opentok/guessed-secret-000000' }))]);
    refused.push(['wrong basic auth', Promise.resolve(post(body, { authorization: basic('opentok:wrong-password') }))]);
    refused.push(['garbage authorization', Promise.resolve(post(body, { authorization: 'Bearer nope' }))]);
    for (const [name, response] of refused) expect((await response).status, name).toBe(401);
    expect(await published()).toBe(0);

    const signed = callback();
    expect((await post(signed, { authorization: `Bearer ${await sign(signed)}` })).status).toBe(204);
    expect((await post(callback(), { path: `/webhooks/opentok/${PATH_SECRET}` })).status).toBe(204);
    expect((await post(callback(), { authorization: basic(BASIC) })).status).toBe(204);
    expect(await published()).toBe(3);
  });

  it('npm start configuration never accepts callbacks that prove nothing', async () => {
    const config = loadConfig({ OPENTOK_API_KEY: '1', OPENTOK_API_SECRET: 's', AUTH_MODE: 'none' });
    expect(config.callbackSecret).toBeNull();
    expect(config.security.callbackAuth).toEqual({ pathSecret: null, basicAuth: null, allowUnauthenticated: false });
    const { post, published } = gateway(config.security.callbackAuth, null);
    const response = await post(callback());
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(/OPENTOK_CALLBACK_SECRET/);
    expect(await published()).toBe(0);

    expect(loadConfig({ OPENTOK_CALLBACK_PATH_SECRET: PATH_SECRET, OPENTOK_CALLBACK_BASIC_AUTH: BASIC }).security.callbackAuth).toMatchObject({ pathSecret: PATH_SECRET, basicAuth: BASIC });
    expect(() => loadConfig({ OPENTOK_CALLBACK_PATH_SECRET: 'short' })).toThrow(/OPENTOK_CALLBACK_PATH_SECRET/);
    expect(() => loadConfig({ OPENTOK_CALLBACK_BASIC_AUTH: 'nopassword' })).toThrow(/OPENTOK_CALLBACK_BASIC_AUTH/);
  });

  it('verifyCallback: the verdict names how the callback proved itself, or why not', async () => {
    const body = callback();
    const req = (path: string, authorization?: string) => new Request(`http://gateway${path}`, { method: 'POST', headers: authorization ? { authorization } : {} });
    const config = { signatureSecret: SIGNATURE_SECRET, pathSecret: PATH_SECRET, basicAuth: BASIC };
    expect(await verifyCallback(req('/webhooks/opentok', `Bearer ${await sign(body)}`), body, config)).toEqual({ ok: true, via: 'signature' });
    expect(await verifyCallback(req(`/webhooks/opentok/${PATH_SECRET}`), body, config)).toEqual({ ok: true, via: 'path-secret' });
    expect(await verifyCallback(req('/webhooks/opentok', basic(BASIC)), body, config)).toEqual({ ok: true, via: 'basic-auth' });
    expect(await verifyCallback(req('/webhooks/opentok', `Bearer ${await sign(body)}`), `${body} `, config)).toEqual({ ok: false, reason: 'The payload_hash does not match the body' });
    expect(await verifyCallback(req('/webhooks/opentok'), body, { signatureSecret: null, allowUnauthenticated: true })).toEqual({ ok: true, via: 'unauthenticated' });
    expect((await verifyCallback(req('/webhooks/opentok'), body, { signatureSecret: null })).ok).toBe(false);
    // A path secret is never accepted when none is configured, whatever the segment.
    expect((await verifyCallback(req('/webhooks/opentok/anything'), body, { signatureSecret: null, allowUnauthenticated: true })).ok).toBe(false);
  });
});
