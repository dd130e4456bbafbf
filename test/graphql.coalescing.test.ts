/**
 * Concurrent identical upstream reads share one call (src/server/coalesce.ts), over real HTTP to
 * a real gateway in front of the emulator. The emulator holds every `archive.list` for a while
 * (a latency fault), so the requests overlap deterministically rather than by luck.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import { coalesceReads } from '../src/server/coalesce.js';
import { ok, routedSessionWithPublishers, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let sessionId: string;

beforeAll(async () => {
  t = await startTestGateway();
  ({ sessionId } = await routedSessionWithPublishers(t, 1));
}, 30_000);

afterEach(async () => {
  await t.control.clearFaults();
});

afterAll(async () => {
  await t?.close();
});

const LIST = 'query($offset: Int!, $count: Int!) { archives(offset: $offset, count: $count) { totalCount items { id status } } }';

async function listCalls(): Promise<number> {
  return (await t.control.requests()).byOperation['archive.list'] ?? 0;
}

async function slowLists(ms = 300): Promise<void> {
  await t.control.fault({ operation: 'archive.list', latencyMs: ms });
}

describe('in-flight coalescing of identical upstream reads', () => {
  it('50 concurrent identical archives queries make exactly 1 upstream archive.list, and all 50 get its answer', async () => {
    await slowLists();
    const before = await listCalls();
    const responses = await Promise.all(Array.from({ length: 50 }, () => t.gql(LIST, { offset: 0, count: 47 })));
    expect((await listCalls()) - before).toBe(1);
    const bodies = responses.map((r) => JSON.stringify(ok(r)));
    expect(new Set(bodies).size).toBe(1);
    // Nothing outlives the flight: the next read goes upstream again.
    ok(await t.gql(LIST, { offset: 0, count: 47 }));
    expect((await listCalls()) - before).toBe(2);
  });

  it('different arguments are not merged', async () => {
    await slowLists();
    const before = await listCalls();
    const [a, b, c, d] = await Promise.all([
      t.gql(LIST, { offset: 0, count: 47 }),
      t.gql(LIST, { offset: 0, count: 46 }),
      t.gql(LIST, { offset: 1, count: 47 }),
      t.gql(LIST, { offset: 0, count: 47 }),
    ]);
    for (const r of [a, b, c, d]) ok(r!);
    expect((await listCalls()) - before).toBe(3);
  });

  it('a read that starts after a write does not join a read that started before it, and sees the write', async () => {
    await slowLists(400);
    const before = await listCalls();
    const early = t.gql(LIST, { offset: 0, count: 50 });
    // Let the early read reach the emulator (it is held there for 400 ms).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { startArchive } = ok(await t.gql('mutation($sid: ID!) { startArchive(input: { sessionId: $sid, name: "coalescing" }) { id } }', { sid: sessionId }));
    const late = ok(await t.gql(LIST, { offset: 0, count: 50 }));
    ok(await early);
    expect((await listCalls()) - before).toBe(2);
    expect(late.archives.items.map((item: { id: string }) => item.id)).toContain(startArchive.id);
    ok(await t.gql('mutation($id: ID!) { stopArchive(id: $id) { id } }', { id: startArchive.id }));
  });

  it('a caller that aborts gets its abort; the others still get the shared answer', async () => {
    await slowLists();
    // Over HTTP: one client hangs up mid-flight; the other 9 are answered from the same call.
    const before = await listCalls();
    const controller = new AbortController();
    const gone = fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LIST, variables: { offset: 0, count: 45 } }),
      signal: controller.signal,
    });
    const rest = Array.from({ length: 9 }, () => t.gql(LIST, { offset: 0, count: 45 }));
    setTimeout(() => controller.abort(), 100);
    await expect(gone).rejects.toThrow();
    for (const r of await Promise.all(rest)) expect(ok(r).archives.totalCount).toBeGreaterThan(0);
    expect((await listCalls()) - before).toBe(1);

    // On the client itself: a waiter's signal never reaches the shared call.
    const client = coalesceReads(createOpenTokClient({ apiKey: t.emulator.apiKey, apiSecret: t.emulator.apiSecret, apiUrl: t.emulator.url, retry: { retries: 0 } }));
    const first = new AbortController();
    const leaving = client.listArchives({ offset: 0, count: 44 }, { signal: first.signal });
    const staying = client.listArchives({ count: 44, offset: 0 });
    expect(client.inFlight).toBe(1);
    first.abort(new Error('caller went away'));
    await expect(leaving).rejects.toThrow('caller went away');
    expect((await staying).items.length).toBeGreaterThan(0);
    expect(client.inFlight).toBe(0);
    expect((await listCalls()) - before).toBe(2);
  });

  it('writes are never coalesced', async () => {
    await t.control.fault({ operation: 'archive.start', latencyMs: 200 });
    const before = (await t.control.requests()).byOperation['archive.start'] ?? 0;
    const started = await Promise.all(
      ['x', 'y'].map((tag) => t.gql('mutation($sid: ID!, $tag: String) { startArchive(input: { sessionId: $sid, multiArchiveTag: $tag }) { id } }', { sid: sessionId, tag })),
    );
    const ids = started.map((r) => ok(r).startArchive.id as string);
    expect(new Set(ids).size).toBe(2);
    expect(((await t.control.requests()).byOperation['archive.start'] ?? 0) - before).toBe(2);
    for (const id of ids) ok(await t.gql('mutation($id: ID!) { stopArchive(id: $id) { id } }', { id }));
  });
});
