/**
 * Many instances on one Redis: three `npm start` processes in front of one upstream (an
 * emulator in this process), sharing REDIS_URL. Callbacks arrive at instance A only;
 * subscribers on B (graphql-ws) and C (SSE) receive every event, in order per session; a cache
 * entry invalidated through A is gone on B; when B dies, its client reconnects to C and
 * continues.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/process.js';
import { ensureRedis } from './support/redis.js';
import { sse, until, wsClient, wsSubscribe, type TestSubscription } from './support/subscriptions.js';

const SECRET = 'scale-callback-secret';
const SESSIONS = 10;
const PER_SESSION = 1000;
const KEY = new TextEncoder().encode(SECRET);

let emulator: RunningEmulator;
let A: GatewayProcess;
let B: GatewayProcess;
let C: GatewayProcess;

beforeAll(async () => {
  const redisUrl = await ensureRedis();
  emulator = await startEmulator({ callbackSecret: SECRET });
  const env = {
    OPENTOK_API_KEY: emulator.apiKey,
    OPENTOK_API_SECRET: emulator.apiSecret,
    OPENTOK_API_URL: emulator.url,
    OPENTOK_RETRIES: '0',
    AUTH_MODE: 'none',
    OPENTOK_CALLBACK_SECRET: SECRET,
    REDIS_URL: redisUrl,
    RESPONSE_CACHE_TTL_MS: '60000',
    GRAPHIQL: 'false',
  };
  [A, B, C] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env), startGatewayProcess(env)]);
  emulator.setCallbackUrl(`${A.url}/webhooks/opentok`);
}, 60_000);

afterAll(async () => {
  for (const p of [A, B, C]) p?.kill('SIGKILL');
  await emulator?.close();
});

async function sign(text: string): Promise<string> {
  return new SignJWT({ jti: randomUUID(), payload_hash: createHash('sha256').update(text).digest('hex'), api_key: emulator.apiKey })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setIssuer('Vonage')
    .sign(KEY);
}

/** Sends `count` connectionCreated callbacks of one session to A, one after the other (as OpenTok does per session). */
async function sendSession(sessionId: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const text = JSON.stringify({ sessionId, projectId: emulator.apiKey, event: 'connectionCreated', timestamp: 1720000000000 + i, connection: { id: `c-${i}`, createdAt: 1720000000000 + i, data: String(i) } });
    const response = await fetch(`${A.url}/webhooks/opentok`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await sign(text)}` }, body: text });
    if (response.status !== 204) throw new Error(`callback ${i} of ${sessionId}: HTTP ${response.status} ${await response.text()}`);
  }
}

async function activeSubscriptions(p: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  return Number(/^gateway_subscriptions_active\{transport="all"\} (\d+)/m.exec(text)?.[1] ?? -1);
}

const SUBSCRIPTION = 'subscription($sid: ID!) { sessionEvents(sessionId: $sid) { type connectionData seq } }';
const sequence = (sub: TestSubscription) => sub.events.map((e) => Number(e.data!.sessionEvents.connectionData));

async function gql<T = any>(p: GatewayProcess, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${p.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

describe('three instances on one Redis', () => {
  it('fans callbacks received by A out to subscribers on B and C, every one, in order per session', async () => {
    const sessions = Array.from({ length: SESSIONS }, (_, i) => `1_MX4xMjM0NTZ-scale-${i}-${randomUUID()}`);
    const ws = wsClient({ url: B.url.replace(/^http/, 'ws') + '/graphql' });
    const onB = sessions.map((sid) => wsSubscribe(ws, SUBSCRIPTION, { sid }));
    const onC = sessions.map((sid) => sse(`${C.url}/graphql`, SUBSCRIPTION, { sid }));
    try {
      await until(async () => (await activeSubscriptions(B)) === SESSIONS && (await activeSubscriptions(C)) === SESSIONS, 15_000, 'subscriptions on B and C');
      const started = Date.now();
      await Promise.all(sessions.map((sid) => sendSession(sid, 0, PER_SESSION)));
      const sentMs = Date.now() - started;
      await Promise.all([...onB, ...onC].map((s) => s.waitFor(PER_SESSION, 30_000)));
      const expected = Array.from({ length: PER_SESSION }, (_, i) => i);
      for (const sub of [...onB, ...onC]) expect(sequence(sub)).toEqual(expected);
      // seq is assigned in Redis: strictly increasing within each session's stream.
      for (const sub of [...onB, ...onC]) {
        const seqs = sub.events.map((e) => e.data!.sessionEvents.seq as number);
        expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
      }
      const receivedB = onB.reduce((n, s) => n + s.events.length, 0);
      const receivedC = onC.reduce((n, s) => n + s.events.length, 0);
      console.log(`multi-instance: ${SESSIONS * PER_SESSION} callbacks posted to A in ${sentMs} ms; B (graphql-ws) received ${receivedB}, C (SSE) received ${receivedC}, in order per session, none lost`);
      expect(receivedB).toBe(SESSIONS * PER_SESSION);
      expect(receivedC).toBe(SESSIONS * PER_SESSION);
    } finally {
      for (const s of [...onB, ...onC]) s.close();
      await ws.dispose();
    }
  }, 60_000);

  it('shares the response cache: a read cached on B is invalidated by a mutation and by a callback that reach A', async () => {
    const { createSession } = await gql(A, 'mutation { createSession(input: { mediaMode: ROUTED }) { id } }');
    const sid = createSession.id as string;
    const { generateToken } = await gql(A, 'mutation($sid: ID!) { generateToken(input: { sessionId: $sid, role: PUBLISHER }) { token } }', { sid });
    const control = (path: string, body: unknown) =>
      fetch(`${emulator.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const { connectionId } = await control(`/sessions/${sid}/connections`, { token: generateToken.token });
    await control(`/sessions/${sid}/connections/${connectionId}/streams`, { name: 'p' });
    const { startArchive } = await gql(A, 'mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid });

    const page = 'query($sid: ID!) { archives(sessionId: $sid) { items { id status } } }';
    const lists = async () => ((await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as { byOperation: Record<string, number> }).byOperation['archive.list'] ?? 0;
    // Callbacks of the setup (connection, stream, archive started) invalidate as they land on A.
    await until(async () => (await gql(A, 'query($sid: ID!) { recentEvents(sessionId: $sid) { type } }', { sid })).recentEvents.some((e: { type: string }) => e.type === 'archive'), 10_000, 'setup callbacks');
    expect((await gql(B, page, { sid })).archives.items).toEqual([{ id: startArchive.id, status: 'STARTED' }]);
    const afterFirst = await lists();
    expect((await gql(B, page, { sid })).archives.items[0].status).toBe('STARTED');
    expect((await gql(C, page, { sid })).archives.items[0].status).toBe('STARTED');
    expect(await lists()).toBe(afterFirst); // B again, and C, from the shared cache

    await gql(A, 'mutation($id: ID!) { stopArchive(id: $id) { id } }', { id: startArchive.id });
    expect((await gql(B, page, { sid })).archives.items[0].status).toBe('STOPPED');

    // stopped → available: only the callback (to A) says so.
    await fetch(`${emulator.url}/_emulator/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: 5000 }) });
    await until(async () => (await gql(C, 'query($sid: ID!) { recentEvents(sessionId: $sid) { status } }', { sid })).recentEvents.some((e: { status: string }) => e.status === 'available'), 10_000, 'the available callback');
    expect((await gql(B, page, { sid })).archives.items[0].status).toBe('AVAILABLE');
  }, 30_000);

  it('recognises a redelivery whichever instance it reaches', async () => {
    const sid = `1_MX4xMjM0NTZ-redelivery-${randomUUID()}`;
    await until(async () => (await activeSubscriptions(C)) === 0, 10_000, 'earlier subscriptions on C to be released');
    const sub = sse(`${C.url}/graphql`, SUBSCRIPTION, { sid });
    try {
      await until(async () => (await activeSubscriptions(C)) === 1, 10_000, 'the subscription on C');
      const post = async (p: GatewayProcess, i: number) => {
        const text = JSON.stringify({ sessionId: sid, event: 'connectionCreated', timestamp: 1720000000000 + i, connection: { id: `c-${i}`, createdAt: 1, data: String(i) } });
        const response = await fetch(`${p.url}/webhooks/opentok`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await sign(text)}` }, body: text });
        expect(response.status).toBe(204);
      };
      await post(A, 0);
      await post(B, 0); // the platform retried, and the load balancer chose another instance
      await post(C, 0);
      await post(B, 1);
      await post(A, 1);
      await sub.waitFor(2);
      await new Promise((r) => setTimeout(r, 200));
      expect(sequence(sub)).toEqual([0, 1]);
    } finally {
      sub.close();
    }
  });

  it('when B dies, its graphql-ws client reconnects to C and continues', async () => {
    const sid = `1_MX4xMjM0NTZ-failover-${randomUUID()}`;
    await until(async () => (await activeSubscriptions(B)) === 0 && (await activeSubscriptions(C)) === 0, 10_000, 'earlier subscriptions to be released');
    let target = B;
    const ws = wsClient({ url: () => `${target.url.replace(/^http/, 'ws')}/graphql`, retry: true });
    const sub = wsSubscribe(ws, SUBSCRIPTION, { sid });
    try {
      await until(async () => (await activeSubscriptions(B)) === 1, 10_000, 'the subscription on B');
      await sendSession(sid, 0, 100);
      await sub.waitFor(100);
      target = C;
      B.kill('SIGKILL');
      expect(await B.exited).toBe('SIGKILL');
      await until(async () => (await activeSubscriptions(C)) === 1, 15_000, 'the client re-subscribed on C');
      await sendSession(sid, 100, 100);
      await sub.waitFor(200);
      expect(sequence(sub)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      console.log(`failover: 100 events through B, B killed, client reconnected to C and received the next 100 (total ${sub.events.length})`);
    } finally {
      sub.close();
      await ws.dispose();
    }
  }, 30_000);
});
