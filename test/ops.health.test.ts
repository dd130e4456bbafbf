/**
 * Operations: liveness, readiness, Prometheus metrics, structured logs with request ids, and
 * graceful shutdown (readiness fails first, in-flight requests finish, subscriptions end
 * cleanly) — in process and for the real `npm start` process on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import { createGateway } from '../src/server/gateway.js';
import { createLogger } from '../src/server/log.js';
import { ok, routedSessionWithPublishers, startTestGateway, type TestGateway } from './support/gateway.js';
import { startGatewayProcess } from './support/process.js';
import { sse, until, wsClient, wsSubscribe } from './support/subscriptions.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ callbacks: true });
});
afterAll(async () => {
  await t?.close();
});

describe('/health and /ready', () => {
  it('are live and ready when the upstream answers', async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { config: true, upstream: true } });
  });

  it('are not ready when the upstream or Redis does not answer', async () => {
    const client = createOpenTokClient({ apiKey: '123456', apiSecret: 'secret', apiUrl: 'http://127.0.0.1:9' });
    const down = createGateway({ client, redisUrl: 'redis://127.0.0.1:9' });
    try {
      const ready = await down.yoga.fetch('http://gateway/ready');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not ready', checks: { config: true, upstream: false, redis: false } });
      expect((await down.yoga.fetch('http://gateway/health')).status).toBe(200);
    } finally {
      await down.close();
    }
  });
});

describe('/metrics', () => {
  it('counts requests and upstream calls per operation, callbacks and open subscriptions', async () => {
    const { sessionId } = await routedSessionWithPublishers(t, 1);
    ok(await t.gql('query ArchivesOfSession($sid: ID!) { archives(sessionId: $sid) { totalCount } }', { sid: sessionId }));
    const before = t.gateway.events.subscriberCount();
    const sub = sse(t.graphqlUrl, 'subscription Watch($sid: ID!) { sessionEvents(sessionId: $sid) { type } }', { sid: sessionId });
    await until(() => t.gateway.events.subscriberCount() === before + 1, 5000, 'the subscription');
    const response = await fetch(`${t.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    sub.close();
    expect(text).toMatch(/gateway_graphql_requests_total\{type="query",operation="ArchivesOfSession",status="200"\} 1/);
    expect(text).toMatch(/gateway_graphql_request_duration_seconds_count\{type="query",operation="ArchivesOfSession"\} 1/);
    expect(text).toMatch(/gateway_upstream_requests_total\{operation="listArchives",outcome="ok"\} \d+/);
    expect(text).toMatch(/gateway_upstream_requests_total\{operation="createSession",outcome="ok"\} \d+/);
    expect(text).toMatch(/gateway_upstream_request_duration_seconds_bucket\{le="\+Inf",operation="listArchives"\} \d+/);
    expect(text).toMatch(/gateway_opentok_callbacks_total\{kind="session",outcome="accepted"\} \d+/);
    expect(text).toMatch(/gateway_subscriptions_active\{transport="all"\} [1-9]/);
    expect(text).toMatch(/gateway_response_cache_hits_total \d+|process_cpu_user_seconds_total/);
  });
});

describe('logs', () => {
  it('are JSON lines with the request id that the response header carries', async () => {
    const lines: string[] = [];
    const client = createOpenTokClient({ apiKey: t.emulator.apiKey, apiSecret: t.emulator.apiSecret, apiUrl: t.emulator.url });
    const g = createGateway({ client, log: createLogger('debug', (line) => lines.push(line)) });
    try {
      const response = await g.yoga.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query Count { archives { totalCount } }' }) });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      // Successful operations at debug, operations with errors at info (src/server/yoga.ts).
      expect(entries).toContainEqual(expect.objectContaining({ level: 'debug', msg: 'graphql', requestId: id, operation: 'query Count' }));
      const failed = await g.yoga.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query One { archives(offset: 0, count: 100000) { totalCount } }' }) });
      const failedId = failed.headers.get('x-request-id');
      const failedEntry = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.msg === 'graphql' && e.requestId === failedId);
      expect(failedEntry).toMatchObject({ level: 'info', operation: 'query One' });
      expect(failedEntry!.errors).toEqual(expect.arrayContaining([expect.any(String)]));
      expect(createLogger('warn', (line) => lines.push(line)).info('hidden')).toBeUndefined();
      expect(lines.some((l) => l.includes('hidden'))).toBe(false);
    } finally {
      await g.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('fails readiness first, finishes in-flight requests, completes subscriptions on both transports, then closes', async () => {
    const g = await startTestGateway({ gateway: { shutdown: { drainDelayMs: 300, graceMs: 5000 } } });
    let closed = false;
    try {
      const { sessionId } = await routedSessionWithPublishers(g, 1);
      const before = g.gateway.events.subscriberCount();
      const overSse = sse(g.graphqlUrl, 'subscription($sid: ID!) { sessionEvents(sessionId: $sid) { type } }', { sid: sessionId });
      const ws = wsClient({ url: g.graphqlUrl.replace(/^http/, 'ws') });
      const overWs = wsSubscribe(ws, 'subscription($sid: ID!) { archiveUpdated(sessionId: $sid) { status } }', { sid: sessionId });
      await until(() => g.gateway.events.subscriberCount() === before + 2, 5000, 'two subscriptions');

      await g.control.fault({ operation: 'archive.list', latencyMs: 800 });
      const inFlight = g.gql('{ archives { totalCount } }');
      await new Promise((r) => setTimeout(r, 100));
      const closing = g.gateway.close().then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 50));
      const ready = await fetch(`${g.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { status: string }).status).toBe('draining');

      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ archives: { totalCount: 0 } });
      expect(await overSse.ended).toBe('complete');
      expect(await overWs.ended).toBe('complete');
      await closing;
      // A clean close: the client's own 1000 once nothing is subscribed, or the server's 1001.
      expect(ws.closeEvents.length).toBeGreaterThan(0);
      expect(ws.closeEvents.every((e) => e.code === 1000 || e.code === 1001)).toBe(true);
      await expect(fetch(`${g.url}/health`)).rejects.toThrow();
      await ws.dispose();
    } finally {
      if (!closed) await g.gateway.close();
      await g.emulator.close();
    }
  });

  it('npm start: SIGTERM lets the in-flight request finish and exits 0', async () => {
    const gateway = await startGatewayProcess({ SEED_DEMO: 'false' });
    const emulatorUrl = /embedded OpenTok emulator at (http:\/\/\S+)/.exec(gateway.stdout())![1]!;
    await fetch(`${emulatorUrl}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'archive.list', latencyMs: 1000 }) });
    const inFlight = fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ archives { totalCount } }' }) });
    await new Promise((r) => setTimeout(r, 300));
    gateway.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { archives: { totalCount: 0 } } });
    expect(await gateway.exited).toBe(0);
  });
});
