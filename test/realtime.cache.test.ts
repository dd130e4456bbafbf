/**
 * The response cache: archive, broadcast and stream reads are served from it, per caller, and
 * a mutation or a callback makes the next read fresh — a cached `archives` page is never stale
 * after a stop or an `available` callback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheSession } from '../src/server/cache.js';
import { ok, routedSessionWithPublishers, startTestGateway, type TestGateway } from './support/gateway.js';
import { until } from './support/subscriptions.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ callbacks: true, gateway: { cacheTtlMs: 60_000 } });
});
afterAll(async () => {
  await t?.close();
});

const PAGE = 'query Page($sid: ID!) { archives(sessionId: $sid) { totalCount items { id status } } }';

async function read(sid: string, authorization?: string): Promise<{ totalCount: number; items: { id: string; status: string }[] }> {
  const response = await fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query: PAGE, variables: { sid } }),
  });
  const body = (await response.json()) as { data: { archives: { totalCount: number; items: { id: string; status: string }[] } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data.archives;
}

const upstreamLists = async () => (await t.control.requests()).byOperation['archive.list'] ?? 0;

describe('response cache', () => {
  it('serves repeated reads from the cache, per caller, and is never stale after a mutation or a callback', async () => {
    const { sessionId } = await routedSessionWithPublishers(t, 1);
    await until(async () => (await t.gateway.events.recent(sessionId)).some((e) => e.type === 'streamCreated'), 5000, 'the setup callbacks');
    const first = await read(sessionId);
    expect(first.totalCount).toBe(0);
    const lists = await upstreamLists();
    expect(await read(sessionId)).toEqual(first);
    expect(await upstreamLists()).toBe(lists); // a cache hit: no upstream call

    // Another principal never gets this caller's cached response.
    await read(sessionId, 'Bearer someone-else');
    expect(await upstreamLists()).toBe(lists + 1);

    // A mutation invalidates: the new archive shows at once, although the cached page had none.
    const { startArchive } = ok(await t.gql<{ startArchive: { id: string } }>('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
    expect((await read(sessionId)).items).toEqual([{ id: startArchive.id, status: 'STARTED' }]);
    // The `started` callback arrives asynchronously and invalidates as well; once it has, the
    // page is cached again and the next read is a hit.
    await until(async () => (await t.gateway.events.recent(sessionId)).some((e) => e.payload.status === 'started'), 5000, 'the started callback');
    expect((await read(sessionId)).items).toEqual([{ id: startArchive.id, status: 'STARTED' }]);
    const cachedStarted = await upstreamLists();
    expect((await read(sessionId)).items).toEqual([{ id: startArchive.id, status: 'STARTED' }]);
    expect(await upstreamLists()).toBe(cachedStarted);

    ok(await t.gql('mutation($id: ID!) { stopArchive(id: $id) { id } }', { id: startArchive.id }));
    expect((await read(sessionId)).items).toEqual([{ id: startArchive.id, status: 'STOPPED' }]);
    // The emulator's `stopped` callback arrives asynchronously and invalidates too; let it land
    // before asserting a hit, or it can fall between the two reads below.
    await until(async () => (await t.gateway.events.recent(sessionId)).some((e) => e.payload.status === 'stopped'), 5000, 'the stopped callback');
    expect((await read(sessionId)).items).toEqual([{ id: startArchive.id, status: 'STOPPED' }]);
    const cachedStopped = await upstreamLists();
    expect((await read(sessionId)).items[0]!.status).toBe('STOPPED');
    expect(await upstreamLists()).toBe(cachedStopped);

    // stopped → available happens upstream with no mutation: only the callback can tell.
    await t.control.advance(5_000);
    await until(async () => (await t.gateway.events.recent(sessionId)).some((e) => e.payload.status === 'available'), 5000, 'the available callback');
    expect((await read(sessionId)).items).toEqual([{ id: startArchive.id, status: 'AVAILABLE' }]);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(Number(/^gateway_response_cache_hits_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('caches stream reads and drops them when a stream callback arrives', async () => {
    const { sessionId, connectionIds } = await routedSessionWithPublishers(t, 1);
    const query = 'query($sid: ID!) { streams(sessionId: $sid) { id name } }';
    const streams = async () => ok(await t.gql<{ streams: { id: string; name: string }[] }>(query, { sid: sessionId })).streams;
    // The setup's own callbacks (connection, stream) arrive asynchronously and invalidate too.
    await until(async () => (await t.gateway.events.recent(sessionId)).some((e) => e.type === 'streamCreated'), 5000, 'the first streamCreated callback');
    expect(await streams()).toHaveLength(1);
    const before = (await t.control.requests()).byOperation['stream.list'] ?? 0;
    expect(await streams()).toHaveLength(1);
    expect((await t.control.requests()).byOperation['stream.list'] ?? 0).toBe(before);
    // A second publisher: the emulator's streamCreated callback invalidates the cached list.
    await t.control.publish(sessionId, connectionIds[0]!, { name: 'second' });
    await until(async () => (await t.gateway.events.recent(sessionId)).filter((e) => e.type === 'streamCreated').length === 2, 5000, 'the streamCreated callback');
    expect((await streams()).map((s) => s.name).sort()).toEqual(['publisher 0', 'second']);
  });
});

describe('cache partitions', () => {
  const request = (authorization?: string) => new Request('http://gateway/graphql', { headers: authorization ? { authorization } : {} });
  const token = (claims: Record<string, number>) =>
    `Bearer ${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('are one per credential, shared by anonymous callers, and never reused for a token past exp or before nbf', () => {
    const now = Math.floor(Date.now() / 1000);
    const valid = token({ exp: now + 60 });
    expect(cacheSession(request(valid))).toBe(cacheSession(request(valid)));
    expect(cacheSession(request(valid))).not.toBe(cacheSession(request(token({ exp: now + 61 }))));
    expect(cacheSession(request())).toBeNull();
    const expired = token({ exp: now - 1 });
    expect(cacheSession(request(expired))).not.toBe(cacheSession(request(expired)));
    const early = token({ nbf: now + 60 });
    expect(cacheSession(request(early))).not.toBe(cacheSession(request(early)));
  });
});
