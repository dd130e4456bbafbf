/**
 * Tokens restricted to listed sessions (the `sessions` claim): every field that takes or resolves
 * a session id is checked; lists without a session are refused; and a refusal never tells
 * whether the object exists (a foreign archive and a missing one answer identically).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hsToken, HS_SECRET, jwtAuth, securedGateway, type SecuredGateway } from './support/auth.js';
import { ok, routedSessionWithPublishers, startTestGateway, type TestGateway } from './support/gateway.js';

let open: TestGateway;
let t: SecuredGateway;
let a: { sessionId: string; archiveId: string };
let b: { sessionId: string; archiveId: string };
let restricted: string;

async function recordingSession(): Promise<{ sessionId: string; archiveId: string }> {
  const { sessionId } = await routedSessionWithPublishers(open, 1);
  const { startArchive } = ok(await open.gql<{ startArchive: { id: string } }>('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
  return { sessionId, archiveId: startArchive.id };
}

beforeAll(async () => {
  open = await startTestGateway();
  a = await recordingSession();
  b = await recordingSession();
  t = await securedGateway(jwtAuth({ kind: 'hs256', secret: HS_SECRET }), { emulator: open.emulator });
  restricted = await hsToken({ sessions: [a.sessionId] });
});
afterAll(async () => {
  await t?.close();
  await open?.close();
});

const codes = (r: { body: { errors?: { extensions: Record<string, unknown> }[] } }) => (r.body.errors ?? []).map((e) => e.extensions.code);

describe('a token restricted to session A', () => {
  it('reads A; is FORBIDDEN on B for every session-taking read', async () => {
    const reads = [
      ['streams', 'query($sid: ID!) { streams(sessionId: $sid) { id } }'],
      ['stream', 'query($sid: ID!) { stream(sessionId: $sid, id: "x") { id } }'],
      ['session', 'query($sid: ID!) { session(id: $sid) { id } }'],
      ['archives', 'query($sid: ID!) { archives(sessionId: $sid) { totalCount } }'],
      ['archivesConnection', 'query($sid: ID!) { archivesConnection(sessionId: $sid) { totalCount } }'],
      ['broadcasts', 'query($sid: ID!) { broadcasts(sessionId: $sid) { totalCount } }'],
      ['recentEvents', 'query($sid: ID!) { recentEvents(sessionId: $sid) { type } }'],
    ] as const;
    for (const [name, query] of reads) {
      expect(codes(await t.post(query, { bearer: restricted, variables: { sid: a.sessionId } })), `${name} on A`).toEqual([]);
      expect(codes(await t.post(query, { bearer: restricted, variables: { sid: b.sessionId } })), `${name} on B`).toEqual(['FORBIDDEN']);
    }
  });

  it('lists across sessions are refused (they would show other sessions); with session A they hold only A', async () => {
    for (const query of ['{ archives { totalCount } }', '{ archivesConnection { totalCount } }', '{ broadcasts { totalCount } }', '{ renders { totalCount } }', '{ recentEvents { type } }']) {
      expect(codes(await t.post(query, { bearer: restricted })), query).toEqual(['FORBIDDEN']);
    }
    const mine = await t.post('query($sid: ID!) { archives(sessionId: $sid) { items { id sessionId } } }', { bearer: restricted, variables: { sid: a.sessionId } });
    expect(mine.body.data.archives.items).toEqual([{ id: a.archiveId, sessionId: a.sessionId }]);
  });

  it('archive(id) of session B and of a missing id look identical', async () => {
    const query = 'query($id: ID!) { archive(id: $id) { id name } }';
    const own = await t.post(query, { bearer: restricted, variables: { id: a.archiveId } });
    expect(own.body.data.archive.id).toBe(a.archiveId);
    const foreign = await t.post(query, { bearer: restricted, variables: { id: b.archiveId } });
    const missing = await t.post(query, { bearer: restricted, variables: { id: randomUUID() } });
    expect(foreign.status).toBe(missing.status);
    expect(foreign.body).toEqual(missing.body);
    expect(codes(foreign)).toEqual(['FORBIDDEN']);
    // Same for a write by id.
    const stop = 'mutation($id: ID!) { stopArchive(id: $id) { id } }';
    const stopForeign = await t.post(stop, { bearer: restricted, variables: { id: b.archiveId } });
    const stopMissing = await t.post(stop, { bearer: restricted, variables: { id: randomUUID() } });
    expect(stopForeign.body).toEqual(stopMissing.body);
    expect(codes(stopForeign)).toEqual(['FORBIDDEN']);
  });

  it('an unauthorized archive(id) (no video:read) looks the same for an existing and a missing id', async () => {
    const noRead = await hsToken({ scope: 'video:write' });
    const query = 'query($id: ID!) { archive(id: $id) { id } }';
    const existing = await t.post(query, { bearer: noRead, variables: { id: a.archiveId } });
    const missing = await t.post(query, { bearer: noRead, variables: { id: randomUUID() } });
    expect(existing.body).toEqual(missing.body);
    expect(codes(existing)).toEqual(['FORBIDDEN']);
  });

  it('writes on B are FORBIDDEN and change nothing; on A they run', async () => {
    const writes = [
      ['generateToken', 'mutation($sid: ID!) { generateToken(input: { sessionId: $sid }) { sessionId } }'],
      ['sendSignal', 'mutation($sid: ID!) { sendSignal(sessionId: $sid, data: "hi") { sessionId } }'],
      ['muteAllStreams', 'mutation($sid: ID!) { muteAllStreams(sessionId: $sid) { sessionId } }'],
      ['disableForceMute', 'mutation($sid: ID!) { disableForceMute(sessionId: $sid) { sessionId } }'],
      ['startBroadcast', 'mutation($sid: ID!) { startBroadcast(input: { sessionId: $sid, outputs: { hls: {} } }) { id } }'],
    ] as const;
    const before = await open.control.requests();
    for (const [name, query] of writes) {
      expect(codes(await t.post(query, { bearer: restricted, variables: { sid: b.sessionId } })), `${name} on B`).toEqual(['FORBIDDEN']);
    }
    expect((await open.control.requests()).total).toBe(before.total);
    const archiveB = ok(await open.gql<{ archive: { status: string } }>('query($id: ID!) { archive(id: $id) { status } }', { id: b.archiveId })).archive;
    expect(archiveB.status).toBe('STARTED');
    for (const [name, query] of writes.slice(0, 2)) {
      expect(codes(await t.post(query, { bearer: restricted, variables: { sid: a.sessionId } })), `${name} on A`).toEqual([]);
    }
    const stopped = await t.post('mutation($id: ID!) { stopArchive(id: $id) { status } }', { bearer: restricted, variables: { id: a.archiveId } });
    expect(stopped.body.data.stopArchive.status).toBe('STOPPED');
  });

  it('subscriptions to session B are refused at subscribe', async () => {
    const query = encodeURIComponent(`subscription { opentokEvents(sessionId: "${b.sessionId}") { type } }`);
    const response = await t.gateway.yoga.fetch(`http://gateway/graphql?query=${query}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${restricted}` } });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('data:')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toMatch(/FORBIDDEN/);
  });

  it('a token without the claim is not restricted', async () => {
    const all = await hsToken();
    const page = await t.post('{ archives { items { sessionId } } }', { bearer: all });
    expect(new Set(page.body.data.archives.items.map((i: { sessionId: string }) => i.sessionId))).toEqual(new Set([a.sessionId, b.sessionId]));
  });
});
