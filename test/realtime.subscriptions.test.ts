/**
 * Callbacks to subscriptions, in one gateway: every subscription over SSE and over graphql-ws,
 * the emulator's own archive lifecycle on a live subscription, redelivered callbacks published
 * once, and authorization when a subscription starts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devAuthConfig, mintDevToken } from '../src/server/auth.js';
import { ok, routedSessionWithPublishers, startTestGateway, type TestGateway } from './support/gateway.js';
import { sse, until, wsClient, wsSubscribe, type TestSubscription } from './support/subscriptions.js';

const SECRET = 'test-callback-secret';

/** Posts a callback to the gateway as OpenTok would: signed, one JSON object. */
async function deliver(url: string, body: Record<string, unknown>): Promise<number> {
  const text = JSON.stringify(body);
  const token = await new SignJWT({ jti: randomUUID(), payload_hash: createHash('sha256').update(text).digest('hex'), api_key: '123456' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setIssuer('Vonage')
    .sign(new TextEncoder().encode(SECRET));
  const response = await fetch(`${url}/webhooks/opentok`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: text });
  return response.status;
}

const SUBSCRIPTIONS = {
  archive: 'subscription($sid: ID!) { archiveUpdated(sessionId: $sid) { archiveId sessionId status reason duration url seq occurredAt } }',
  broadcast: 'subscription($sid: ID!) { broadcastUpdated(sessionId: $sid) { broadcastId sessionId status hlsUrl } }',
  session: 'subscription($sid: ID!) { sessionEvents(sessionId: $sid) { type reason connectionId connectionData streamId streamName videoType } }',
  render: 'subscription($sid: ID!) { renderUpdated(sessionId: $sid) { renderId status reason streamId } }',
  captions: 'subscription($sid: ID!) { captionsUpdated(sessionId: $sid) { captionsId status reason } }',
} as const;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ callbacks: true });
});
afterAll(async () => {
  await t?.close();
});
// Subscriptions a test closed are released asynchronously; each test counts from a clean slate.
beforeEach(async () => {
  await until(() => t.gateway.events.subscriberCount() === 0, 5000, 'earlier subscriptions to be released');
});

describe.each(['sse', 'websocket'] as const)('subscriptions over %s', (transport) => {
  it('deliver typed updates for archives, broadcasts, session events, renders and captions of their session only', async () => {
    const sid = `1_MX4xMjM0NTZ-${transport}-${randomUUID()}`;
    const before = t.gateway.events.subscriberCount();
    const ws = transport === 'websocket' ? wsClient({ url: t.graphqlUrl.replace(/^http/, 'ws') }) : null;
    const open = (query: string): TestSubscription => (ws ? wsSubscribe(ws, query, { sid }) : sse(t.graphqlUrl, query, { sid }));
    const subs = Object.fromEntries(Object.entries(SUBSCRIPTIONS).map(([k, q]) => [k, open(q)])) as Record<keyof typeof SUBSCRIPTIONS, TestSubscription>;
    try {
      await until(() => t.gateway.events.subscriberCount() === before + 5, 5000, 'five subscriptions');
      const connection = { id: 'c-1', createdAt: 1720000000401, data: 'userId=42' };
      const stream = { id: 's-1', connection, createdAt: 1720000003055, name: 'Alice', videoType: 'screen' };
      const bodies = [
        { sessionId: 'another-session', event: 'connectionCreated', timestamp: 1, connection },
        { id: 'a-1', event: 'archive', status: 'stopped', reason: 'user initiated', sessionId: sid, duration: 412, size: 20971520, url: null, updatedAt: 1720000010187 },
        { id: 'b-1', event: 'broadcast', sessionId: sid, status: 'started', broadcastUrls: { hls: 'https://hls.example/b-1.m3u8', rtmp: [] }, updatedAt: 1720000024310 },
        { sessionId: sid, projectId: '123456', event: 'connectionCreated', timestamp: 1720000000530, connection },
        { sessionId: sid, projectId: '123456', event: 'streamDestroyed', reason: 'forceUnpublished', timestamp: 1720001700777, stream },
        { id: 'r-1', sessionId: sid, streamId: 's-9', status: 'stopped', reason: 'Max Duration Exceeded', event: 'renderStopped', updatedAt: 1720000030000 },
        { captionsId: 'k-1', sessionId: sid, status: 'failed', reason: 'provider error', event: 'captions', updatedAt: 1720000040000 },
      ];
      for (const body of bodies) expect(await deliver(t.url, body)).toBe(204);

      const [archive] = await subs.archive.waitFor(1);
      expect(archive!.data!.archiveUpdated).toMatchObject({ archiveId: 'a-1', sessionId: sid, status: 'STOPPED', reason: 'user initiated', duration: 412, url: null, occurredAt: new Date(1720000010187).toISOString() });
      expect((await subs.broadcast.waitFor(1))[0]!.data!.broadcastUpdated).toEqual({ broadcastId: 'b-1', sessionId: sid, status: 'STARTED', hlsUrl: 'https://hls.example/b-1.m3u8' });
      expect((await subs.session.waitFor(2)).map((e) => e.data!.sessionEvents)).toEqual([
        { type: 'CONNECTION_CREATED', reason: null, connectionId: 'c-1', connectionData: 'userId=42', streamId: null, streamName: null, videoType: null },
        { type: 'STREAM_DESTROYED', reason: 'forceUnpublished', connectionId: 'c-1', connectionData: 'userId=42', streamId: 's-1', streamName: 'Alice', videoType: 'SCREEN' },
      ]);
      expect((await subs.render.waitFor(1))[0]!.data!.renderUpdated).toEqual({ renderId: 'r-1', status: 'STOPPED', reason: 'Max Duration Exceeded', streamId: 's-9' });
      expect((await subs.captions.waitFor(1))[0]!.data!.captionsUpdated).toEqual({ captionsId: 'k-1', status: 'FAILED', reason: 'provider error' });
      // Nothing of the other session, nothing twice.
      await new Promise((r) => setTimeout(r, 100));
      expect([subs.archive, subs.broadcast, subs.render, subs.captions].map((s) => s.events.length)).toEqual([1, 1, 1, 1]);
      expect(subs.session.events).toHaveLength(2);
    } finally {
      for (const s of Object.values(subs)) s.close();
      await ws?.dispose();
    }
  });

  it('releases a subscription as soon as its client leaves, without waiting for another event', async () => {
    const before = t.gateway.events.subscriberCount();
    const ws = transport === 'websocket' ? wsClient({ url: t.graphqlUrl.replace(/^http/, 'ws') }) : null;
    const sub = ws ? wsSubscribe(ws, SUBSCRIPTIONS.session, { sid: 'nobody' }) : sse(t.graphqlUrl, SUBSCRIPTIONS.session, { sid: 'nobody' });
    await until(() => t.gateway.events.subscriberCount() === before + 1, 5000, 'the subscription');
    sub.close();
    await ws?.dispose();
    await until(() => t.gateway.events.subscriberCount() === before, 5000, 'the subscription to be released');
  });

  it('closes the emulator loop: startArchive → stopArchive shows started, stopped, available live', async () => {
    const { sessionId } = await routedSessionWithPublishers(t, 1);
    const before = t.gateway.events.subscriberCount();
    const ws = transport === 'websocket' ? wsClient({ url: t.graphqlUrl.replace(/^http/, 'ws') }) : null;
    const query = 'subscription($sid: ID!) { archiveUpdated(sessionId: $sid) { archiveId status archive { id status } } }';
    const sub = ws ? wsSubscribe(ws, query, { sid: sessionId }) : sse(t.graphqlUrl, query, { sid: sessionId });
    try {
      await until(() => t.gateway.events.subscriberCount() === before + 1, 5000, 'the subscription');
      const { startArchive } = ok(await t.gql<{ startArchive: { id: string } }>('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
      await sub.waitFor(1);
      ok(await t.gql('mutation($id: ID!) { stopArchive(id: $id) { id status } }', { id: startArchive.id }));
      await sub.waitFor(2);
      // stopped → available is a timer on the emulator's clock.
      await t.control.advance(5_000);
      const events = await sub.waitFor(3);
      expect(events.map((e) => e.data!.archiveUpdated.status)).toEqual(['STARTED', 'STOPPED', 'AVAILABLE']);
      expect(events.every((e) => e.data!.archiveUpdated.archiveId === startArchive.id)).toBe(true);
      // The nested field reads the archive's state now, through the normal loaders.
      expect(events[2]!.data!.archiveUpdated.archive).toEqual({ id: startArchive.id, status: 'AVAILABLE' });
    } finally {
      sub.close();
      await ws?.dispose();
    }
  });
});

describe('redelivered callbacks', () => {
  it('are answered 2xx and published once; a new status is a new event', async () => {
    const sid = `1_MX4xMjM0NTZ-dedupe-${randomUUID()}`;
    const before = t.gateway.events.subscriberCount();
    const sub = sse(t.graphqlUrl, SUBSCRIPTIONS.archive, { sid });
    try {
      await until(() => t.gateway.events.subscriberCount() === before + 1, 5000, 'the subscription');
      const started = { id: 'a-9', event: 'archive', status: 'started', sessionId: sid, updatedAt: 1720000010000 };
      // OpenTok signs every attempt afresh (new jti), so redeliveries differ only in the signature.
      for (let i = 0; i < 3; i++) expect(await deliver(t.url, started)).toBe(204);
      expect(await deliver(t.url, { ...started, status: 'stopped', reason: 'user initiated', updatedAt: 1720000020000 })).toBe(204);
      expect(await deliver(t.url, { ...started, status: 'stopped', reason: 'user initiated', updatedAt: 1720000020000 })).toBe(204);
      const events = await sub.waitFor(2);
      await new Promise((r) => setTimeout(r, 100));
      expect(events.map((e) => e.data!.archiveUpdated.status)).toEqual(['STARTED', 'STOPPED']);
      const recent = ok(await t.gql<{ recentEvents: { status: string }[] }>('query($sid: ID!) { recentEvents(sessionId: $sid) { status } }', { sid }));
      expect(recent.recentEvents.map((e) => e.status)).toEqual(['stopped', 'started']);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/gateway_opentok_callbacks_total\{kind="archive",outcome="duplicate"\} ([3-9]|\d\d+)/);
    } finally {
      sub.close();
    }
  });
});

describe('authorization on subscribe', () => {
  it('refuses subscriptions without valid credentials over SSE and WebSocket, and accepts a token with video:read', async () => {
    // The dev configuration without its anonymous access: tokens required.
    const auth = { ...devAuthConfig(), allowAnonymous: false };
    const a = await startTestGateway({ gateway: { auth } });
    try {
      const query = 'subscription($sid: ID!) { sessionEvents(sessionId: $sid) { type } }';
      const anonymous = sse(a.graphqlUrl, query, { sid: 's' });
      // Over SSE the refusal is the stream's one event (the HTTP status is already 200).
      await anonymous.waitFor(1);
      expect(anonymous.events[0]!.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(await anonymous.ended).not.toBe('error');

      const wsUrl = a.graphqlUrl.replace(/^http/, 'ws');
      const noToken = wsClient({ url: wsUrl });
      const denied = wsSubscribe(noToken, query, { sid: 's' });
      expect(await denied.ended).toBe('error');
      expect(noToken.closeEvents[0]?.code).toBe(4403);
      await noToken.dispose();

      const writer = wsClient({ url: wsUrl, connectionParams: { authorization: `Bearer ${await mintDevToken(auth, ['video:write'])}` } });
      const forbidden = wsSubscribe(writer, query, { sid: 's' });
      await forbidden.waitFor(1);
      expect(forbidden.events[0]!.errors![0]!.extensions!.code).toBe('FORBIDDEN');
      await writer.dispose();

      const reader = wsClient({ url: wsUrl, connectionParams: { token: await mintDevToken(auth, ['video:read']) } });
      const before = a.gateway.events.subscriberCount();
      const allowed = wsSubscribe(reader, query, { sid: 's' });
      await until(() => a.gateway.events.subscriberCount() === before + 1, 5000, 'the subscription');
      expect(allowed.events).toEqual([]);
      allowed.close();
      await reader.dispose();
    } finally {
      await a.close();
    }
  });
});
