/**
 * N+1 guard: counts the upstream REST calls the emulator served for composite queries and
 * asserts the minimum the loaders allow; prints the naive count (one call per field) beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, routedSessionWithPublishers, startTestGateway, type Requests, type TestGateway } from './support/gateway.js';

let t: TestGateway;
const sessions: { sessionId: string; streamIds: string[] }[] = [];
const archiveIds: string[] = [];
const rows: string[] = [];

beforeAll(async () => {
  t = await startTestGateway();
  // 4 routed sessions with 2 publishers each, and 5 archives per session (distinct tags let
  // them run at once), all stopped: 20 archives in all.
  for (let s = 0; s < 4; s++) {
    const session = await routedSessionWithPublishers(t, 2);
    sessions.push(session);
    for (let a = 0; a < 5; a++) {
      const { startArchive } = ok(
        await t.gql('mutation($sid: ID!, $tag: String) { startArchive(input: { sessionId: $sid, name: $tag, multiArchiveTag: $tag }) { id } }', { sid: session.sessionId, tag: `s${s}-a${a}` }),
      );
      archiveIds.push(startArchive.id);
    }
  }
  for (const id of archiveIds) ok(await t.gql('mutation($id: ID!) { stopArchive(id: $id) { id } }', { id }));
}, 60_000);

afterAll(async () => {
  if (rows.length) console.log(['upstream REST calls per query (gateway vs naive resolver-per-field):', ...rows].join('\n'));
  await t?.close();
});

function diff(before: Requests, after: Requests): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.byOperation)) {
    const d = n - (before.byOperation[op] ?? 0);
    if (d > 0) out[op] = d;
  }
  return out;
}

async function measure(name: string, query: string, variables: Record<string, unknown>, naive: number) {
  const before = await t.control.requests();
  const data = ok(await t.gql(query, variables));
  const after = await t.control.requests();
  const calls = diff(before, after);
  const total = after.total - before.total;
  rows.push(`  ${name.padEnd(72)} gateway ${String(total).padStart(2)}   naive ${String(naive).padStart(3)}   ${JSON.stringify(calls)}`);
  return { data, calls, total };
}

describe('upstream calls per query', () => {
  it('20 archives of 4 sessions with each session\'s streams, plus archive(id) of a listed one: 5 calls (naive 22)', async () => {
    const listed = archiveIds[7]!;
    const { data, calls, total } = await measure(
      '20 archives + session.streams each + archive(id) listed',
      `query($id: ID!) {
        archives(offset: 0, count: 20) { totalCount items { id name session { id streams { id name } } } }
        archive(id: $id) { id name status }
      }`,
      { id: listed },
      1 + 20 + 1,
    );
    expect(data.archives.items).toHaveLength(20);
    expect(data.archives.items.every((a: { session: { streams: unknown[] } }) => a.session.streams.length === 2)).toBe(true);
    expect(data.archive.id).toBe(listed);
    // One list of archives, one list of streams per distinct session, nothing for archive(id).
    expect(calls).toEqual({ 'archive.list': 1, 'stream.list': 4 });
    expect(total).toBe(5);
  });

  it('every stream(sessionId, id), Session.streams and streams(sessionId) of 4 sessions: 4 calls (naive 20)', async () => {
    const fields = sessions
      .map((s, i) => [
        ...s.streamIds.map((id, j) => `st${i}_${j}: stream(sessionId: "${s.sessionId}", id: "${id}") { id name }`),
        `se${i}: session(id: "${s.sessionId}") { streams { id } }`,
        `li${i}: streams(sessionId: "${s.sessionId}") { id }`,
        `again${i}: stream(sessionId: "${s.sessionId}", id: "${s.streamIds[0]}") { id }`,
      ])
      .flat()
      .join('\n');
    const { data, calls } = await measure('stream(…) ×12, Session.streams ×4, streams(…) ×4', `{ ${fields} }`, {}, 4 * (3 + 1 + 1));
    expect(data.st0_0.id).toBe(sessions[0]!.streamIds[0]);
    expect(data.se3.streams).toHaveLength(2);
    expect(calls).toEqual({ 'stream.list': 4 });
  });

  it('identical lookups are made once: same archive, broadcast and list asked several times', async () => {
    const id = archiveIds[0]!;
    const { calls } = await measure(
      'archive(id) ×3, archives(count: 5) ×2, Session.archives + activeArchive',
      `query($id: ID!, $sid: ID!) {
        a: archive(id: $id) { id } b: archive(id: $id) { name } c: archive(id: $id) { status }
        p1: archives(count: 5) { totalCount } p2: archives(count: 5) { items { id } }
        session(id: $sid) { archives { totalCount } activeArchive { id } broadcasts { totalCount } activeBroadcast { id } }
      }`,
      { id, sid: sessions[0]!.sessionId },
      3 + 2 + 4,
    );
    // archive(id) ×3 → at most 1 get (none when the pages, loaded first, already primed it: field
    // authorization is asynchronous, which can order the batches either way); the two identical
    // pages → 1 list; Session.archives and activeArchive share the session's newest page → 1 list;
    // the same for broadcasts → 1 list.
    const { 'archive.get': gets = 0, ...lists } = calls;
    expect(gets).toBeLessThanOrEqual(1);
    expect(lists).toEqual({ 'archive.list': 2, 'broadcast.list': 1 });
  });

  it('a page of archives primes archive(id) lookups of the same request, even nested ones', async () => {
    const { calls } = await measure(
      'archivesConnection(first: 20) + archive(id) ×20',
      `{ archivesConnection(first: 20) { edges { node { id } } } ${archiveIds.map((id, i) => `a${i}: archive(id: "${id}") { id duration }`).join(' ')} }`,
      {},
      1 + 20,
    );
    expect(calls).toEqual({ 'archive.list': 1 });
  });

  it('loaders are per request: the same query twice costs the same twice', async () => {
    const query = `query($id: ID!) { archive(id: $id) { id } }`;
    const first = await measure('archive(id) — request 1', query, { id: archiveIds[3] }, 1);
    const second = await measure('archive(id) — request 2', query, { id: archiveIds[3] }, 1);
    expect(first.total).toBe(1);
    expect(second.total).toBe(1);
  });
});
