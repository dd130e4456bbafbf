/**
 * The webhook route itself: what it accepts (one JSON object per callback, as OpenTok sends)
 * and refuses, and that accepted callbacks become events (recentEvents, per session).
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import { createGateway } from '../src/server/gateway.js';
import { ok, routedSessionWithPublishers, startTestGateway } from './support/gateway.js';

const client = createOpenTokClient({ apiKey: '123456', apiSecret: 'secret', apiUrl: 'http://127.0.0.1:9' });

describe('POST /webhooks/opentok', () => {
  it('accepts session-monitoring and archive callbacks and serves them as events', async () => {
    const { yoga } = createGateway({ client });
    const post = (body: unknown) =>
      yoga.fetch('http://gateway/webhooks/opentok', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const sid = '1_MX4xMjM0NTZ-fjE3MjAwMDAwMDAwMDB-Zm9vYmFyfn4';
    expect((await post({ sessionId: sid, projectId: '123456', event: 'connectionCreated', timestamp: 1720000000412, connection: { id: 'c1', createdAt: 1720000000400, data: '' } })).status).toBe(204);
    expect((await post({ sessionId: sid, projectId: '123456', event: 'streamCreated', timestamp: 1720000000500, stream: { id: 's1', connection: { id: 'c1' }, videoType: 'camera' } })).status).toBe(204);
    expect((await post({ id: 'a1', event: 'archive', status: 'stopped', reason: 'user initiated', sessionId: sid, updatedAt: 1720000001000 })).status).toBe(204);
    expect((await post({ sessionId: 'other', event: 'sessionCreated', timestamp: 1 })).status).toBe(204);

    const response = await yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ recentEvents(sessionId: "${sid}") { seq type connectionId streamId status reason occurredAt session { id } } }` }),
    });
    const body = (await response.json()) as { data: { recentEvents: Record<string, unknown>[] } };
    expect(body.data.recentEvents).toEqual([
      { seq: 3, type: 'archive', connectionId: null, streamId: null, status: 'stopped', reason: 'user initiated', occurredAt: new Date(1720000001000).toISOString(), session: { id: sid } },
      { seq: 2, type: 'streamCreated', connectionId: 'c1', streamId: 's1', status: null, reason: null, occurredAt: new Date(1720000000500).toISOString(), session: { id: sid } },
      { seq: 1, type: 'connectionCreated', connectionId: 'c1', streamId: null, status: null, reason: null, occurredAt: new Date(1720000000412).toISOString(), session: { id: sid } },
    ]);
  });

  it('accepts every callback kind of CALLBACKS.md, classifies it, and publishes each delivery of it once', async () => {
    const { yoga, events } = createGateway({ client });
    const post = (body: unknown) =>
      yoga.fetch('http://gateway/webhooks/opentok', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const sid = `kinds-${randomUUID()}`;
    const call = { id: 'call-1', connectionId: 'c-sip', createdAt: 1720000040011 };
    const bodies = [
      { sessionId: sid, event: 'sessionCreated', timestamp: 1 },
      { sessionId: sid, event: 'connectionCreated', timestamp: 2, connection: { id: 'c1', createdAt: 2, data: '' } },
      { sessionId: sid, event: 'streamCreated', timestamp: 3, stream: { id: 's1', connection: { id: 'c1' }, createdAt: 3, name: '' } },
      { sessionId: sid, event: 'streamDestroyed', reason: 'mediaStopped', timestamp: 4, stream: { id: 's1', connection: { id: 'c1' } } },
      { sessionId: sid, event: 'connectionDestroyed', reason: 'networkDisconnected', timestamp: 5, connection: { id: 'c1' } },
      { sessionId: sid, event: 'sessionDestroyed', timestamp: 6 },
      { id: 'a1', event: 'archive', status: 'available', sessionId: sid, updatedAt: 7, url: 'https://x/a1.mp4' },
      { id: 'b1', event: 'broadcast', status: 'started', sessionId: sid, updatedAt: 8 },
      { id: 'r1', sessionId: sid, streamId: 's9', status: 'started', event: 'renderStarted', updatedAt: 9 },
      // The 2022 render body has no `event` at all (CALLBACKS.md §6).
      { id: 'r2', sessionId: sid, streamId: 's10', status: 'stopped', reason: 'Stop Requested' },
      { captionsId: 'k1', sessionId: sid, status: 'started', event: 'captions', updatedAt: 10 },
      { sessionId: sid, event: 'callCreated', timestamp: 11, call },
      { sessionId: sid, event: 'callUpdated', state: 'RINGING', timestamp: 12, call },
      { sessionId: sid, event: 'muteForced', timestamp: 13, call },
      { sessionId: sid, event: 'callDestroyed', reason_code: '700', reason_message: 'Normal Clearing', timestamp: 14, call },
      // Unified-platform spelling, and a kind nobody documented: accepted all the same.
      { sessionId: sid, event: 'sipCallUpdated', state: 'ACTIVE', timestamp: 15, call },
      { sessionId: sid, event: 'sessionNotification', timestamp: 16 },
    ];
    for (const body of bodies) expect((await post(body)).status).toBe(204);
    // Every one delivered again (OpenTok retries): 204, and nothing new.
    for (const body of bodies) expect((await post(body)).status).toBe(204);
    const recent = (await events.recent(sid, 100)).reverse();
    expect(recent.map((e) => `${e.type}/${e.kind}`)).toEqual([
      'sessionCreated/session', 'connectionCreated/session', 'streamCreated/session', 'streamDestroyed/session', 'connectionDestroyed/session', 'sessionDestroyed/session',
      'archive/archive', 'broadcast/broadcast', 'renderStarted/render', 'render/render', 'captions/captions',
      'callCreated/sip', 'callUpdated/sip', 'muteForced/sip', 'callDestroyed/sip', 'sipCallUpdated/sip', 'sessionNotification/unknown',
    ]);
    const metrics = await (await yoga.fetch('http://gateway/metrics')).text();
    expect(metrics).toMatch(/gateway_opentok_callbacks_total\{kind="sip",outcome="duplicate"\} 5/);
  });

  it('refuses what is not a callback', async () => {
    const { yoga } = createGateway({ client });
    const url = 'http://gateway/webhooks/opentok';
    expect((await yoga.fetch(url)).status).toBe(405);
    expect((await yoga.fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' })).status).toBe(415);
    expect((await yoga.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })).status).toBe(400);
    expect((await yoga.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{}]' })).status).toBe(400);
    const huge = JSON.stringify({ event: 'x', pad: 'x'.repeat(1024 * 1024 + 1) });
    expect((await yoga.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge })).status).toBe(413);
  });
});

describe('signed callbacks (OPENTOK_CALLBACK_SECRET)', () => {
  const secret = 'signature-secret';
  const sign = async (body: string, options: { key?: string; hashOf?: string; issuer?: string } = {}) =>
    new SignJWT({ jti: randomUUID(), payload_hash: createHash('sha256').update(options.hashOf ?? body).digest('hex'), api_key: '123456' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setIssuer(options.issuer ?? 'Vonage')
      .sign(new TextEncoder().encode(options.key ?? secret));

  it('accepts only callbacks signed with the secret over the exact body', async () => {
    const { yoga, events } = createGateway({ client, callbackSecret: secret });
    const body = JSON.stringify({ sessionId: 's', event: 'connectionCreated', timestamp: 1 });
    const post = (authorization?: string, payload = body) =>
      yoga.fetch('http://gateway/webhooks/opentok', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: payload,
      });
    expect((await post()).status).toBe(401);
    expect((await post(`Bearer ${await sign(body, { key: 'wrong' })}`)).status).toBe(401);
    expect((await post(`Bearer ${await sign(body, { issuer: 'someone' })}`)).status).toBe(401);
    expect((await post(`Bearer ${await sign(body, { hashOf: '{"tampered":true}' })}`)).status).toBe(401);
    expect(await events.recent()).toEqual([]);
    expect((await post(`Bearer ${await sign(body)}`)).status).toBe(204);
    // The same callback signed again (a redelivery) is answered 2xx and not published twice.
    expect((await post(await sign(body))).status).toBe(204);
    expect((await events.recent()).map((e) => e.type)).toEqual(['connectionCreated']);
  });

  it('verifies the embedded emulator\'s own signatures end to end', async () => {
    const t = await startTestGateway({ callbacks: true });
    try {
      const { sessionId } = await routedSessionWithPublishers(t, 1);
      ok(await t.gql('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
      await expect.poll(async () => (await t.gateway.events.recent(sessionId)).some((e) => e.type === 'archive'), { timeout: 10_000 }).toBe(true);
    } finally {
      await t.close();
    }
  });
});
