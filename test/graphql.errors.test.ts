/**
 * Every error code path of the convention: `extensions.code`, plus `extensions.field` for input
 * errors and `extensions.upstream = { status, message, operation }` for upstream ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import type { OpenTokClient } from '../src/client/types.js';
import { createGateway } from '../src/server/gateway.js';
import { createLogger } from '../src/server/log.js';
import { ok, routedSessionWithPublishers, startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const MISSING = '00000000-0000-4000-8000-000000000000';

function onlyError(response: GraphQLResponse) {
  expect(response.status).toBe(200);
  expect(response.errors).toHaveLength(1);
  return response.errors![0]!;
}

describe('BAD_USER_INPUT', () => {
  it('rejects input that breaks an OpenTok limit before any upstream call, naming the argument', async () => {
    const { sessionId } = await routedSessionWithPublishers(t, 1);
    const before = (await t.control.requests()).total;

    const rtmp = Array.from({ length: 6 }, (_, i) => ({ serverUrl: `rtmp://example.com/live${i}`, streamName: `s${i}` }));
    const cases: [string, Record<string, unknown>, string][] = [
      ['mutation($sid: ID!, $rtmp: [RtmpOutputInput!]) { startBroadcast(input: { sessionId: $sid, outputs: { rtmp: $rtmp } }) { id } }', { sid: sessionId, rtmp }, 'input.outputs.rtmp'],
      ['mutation($sid: ID!) { startBroadcast(input: { sessionId: $sid, outputs: { hls: { dvr: true, lowLatency: true } } }) { id } }', { sid: sessionId }, 'input.outputs.hls.lowLatency'],
      ['mutation($sid: ID!) { startBroadcast(input: { sessionId: $sid, outputs: { hls: {} }, maxDuration: 10 }) { id } }', { sid: sessionId }, 'input.maxDuration'],
      ['mutation($sid: ID!) { startArchive(input: { sessionId: $sid, outputMode: INDIVIDUAL, resolution: RES_640X480 }) { id } }', { sid: sessionId }, 'input.resolution'],
      ['mutation($sid: ID!) { startArchive(input: { sessionId: $sid, layout: { type: CUSTOM } }) { id } }', { sid: sessionId }, 'input.layout.stylesheet'],
      ['mutation { createSession(input: { archiveMode: ALWAYS, archiveName: "' + 'x'.repeat(81) + '" }) { id } }', {}, 'input.archiveName'],
      ['mutation($id: ID!) { setArchiveLayout(id: $id, layout: { type: PIP, screenshareType: PIP }) { archiveId } }', { id: MISSING }, 'layout.screenshareType'],
      ['mutation($sid: ID!) { generateToken(input: { sessionId: $sid, expireTime: "2001-01-01T00:00:00Z" }) { token } }', { sid: sessionId }, 'input.expireTime'],
      ['mutation { generateToken(input: { sessionId: "1_not-a-session" }) { token } }', {}, 'input.sessionId'],
      ['mutation($sid: ID!) { sendSignal(sessionId: $sid, type: "no spaces allowed", data: "x") { sessionId } }', { sid: sessionId }, 'type'],
      ['mutation($sid: ID!, $data: String!) { sendSignal(sessionId: $sid, data: $data) { sessionId } }', { sid: sessionId, data: 'x'.repeat(8193) }, 'data'],
      ['mutation($sid: ID!) { playDtmf(sessionId: $sid, digits: "12a") { sessionId } }', { sid: sessionId }, 'digits'],
      ['mutation($sid: ID!) { dialSip(input: { sessionId: $sid, uri: "tel:+15551234567" }) { id } }', { sid: sessionId }, 'input.uri'],
      ['mutation($sid: ID!) { startRender(input: { sessionId: $sid, url: "https://x.io" }) { id } }', { sid: sessionId }, 'input.url'],
      ['mutation($sid: ID!) { startCaptions(input: { sessionId: $sid, maxDuration: 10 }) { id } }', { sid: sessionId }, 'input.maxDuration'],
      ['mutation { createSession(input: { mediaMode: RELAYED, archiveMode: ALWAYS }) { id } }', {}, 'input.archiveMode'],
      ['{ archives(offset: 0, count: 5000) { totalCount } }', {}, 'count'],
      ['{ archives(offset: -1) { totalCount } }', {}, 'offset'],
      ['{ archivesConnection(first: 1001) { totalCount } }', {}, 'first'],
      ['{ archivesConnection(after: "not-a-cursor") { totalCount } }', {}, 'after'],
      ['{ archive(id: "  ") { id } }', {}, 'id'],
      ['{ recentEvents(last: 0) { type } }', {}, 'last'],
    ];
    for (const [query, variables, field] of cases) {
      const response = await t.gql(query, variables);
      if (!response.errors) throw new Error(`no error for ${query}: ${JSON.stringify(response.data)}`);
      const error = onlyError(response);
      expect({ query, code: error.extensions.code, field: error.extensions.field }).toEqual({ query, code: 'BAD_USER_INPUT', field });
      expect(error.message).not.toBe('Unexpected error.');
      expect(error.extensions.upstream).toBeUndefined();
    }
    expect((await t.control.requests()).total).toBe(before);
  });

  it('maps upstream 400 and 413 to BAD_USER_INPUT with the upstream status and message', async () => {
    const { createSession } = ok(await t.gql('mutation { createSession { id } }'));
    const empty = onlyError(await t.gql('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: createSession.id }));
    expect(empty.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { status: 400, operation: 'startArchive' } });
    expect(empty.extensions.upstream.message).toMatch(/client/i);

    const { sessionId } = await routedSessionWithPublishers(t, 1);
    await t.control.fault({ operation: 'signal.session', status: 413, count: 1 });
    const tooLarge = onlyError(await t.gql('mutation($sid: ID!) { sendSignal(sessionId: $sid, data: "hi") { sessionId } }', { sid: sessionId }));
    expect(tooLarge.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { status: 413, operation: 'sendSignal' } });
  });

  it('rejects GraphQL-level mistakes (unknown enum value, bad DateTime) as BAD_USER_INPUT or validation errors', async () => {
    const response = await t.gql('mutation { generateToken(input: { sessionId: "x", expireTime: "tomorrow" }) { token } }');
    expect(response.errors![0]!.message).toMatch(/DateTime/);
  });
});

describe('NOT_FOUND', () => {
  it('returns null without an error when a query names a missing object', async () => {
    const response = await t.gql(`{ archive(id: "${MISSING}") { id } broadcast(id: "${MISSING}") { id } render(id: "${MISSING}") { id } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ archive: null, broadcast: null, render: null });
  });

  it('fails a mutation on a missing object with NOT_FOUND and the upstream details', async () => {
    const stop = onlyError(await t.gql(`mutation { stopArchive(id: "${MISSING}") { id } }`));
    expect(stop.extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 404, operation: 'stopArchive' } });
    expect(stop.path).toEqual(['stopArchive']);

    const { sessionId } = await routedSessionWithPublishers(t, 1);
    const kick = onlyError(await t.gql(`mutation($sid: ID!) { forceDisconnect(sessionId: $sid, connectionId: "${MISSING}") { sessionId } }`, { sid: sessionId }));
    expect(kick.extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 404, operation: 'forceDisconnect' } });
  });
});

describe('CONFLICT', () => {
  it('maps 409s: archiving a relayed session, a second untagged archive, captions twice', async () => {
    const { createSession } = ok(await t.gql('mutation { createSession(input: { mediaMode: RELAYED }) { id } }'));
    const relayed = onlyError(await t.gql('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: createSession.id }));
    expect(relayed.extensions).toMatchObject({ code: 'CONFLICT', upstream: { status: 409, operation: 'startArchive' } });

    const { sessionId } = await routedSessionWithPublishers(t, 1);
    ok(await t.gql('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
    const twice = onlyError(await t.gql('mutation($sid: ID!) { startArchive(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
    expect(twice.extensions).toMatchObject({ code: 'CONFLICT', upstream: { status: 409 } });

    ok(await t.gql('mutation($sid: ID!) { startCaptions(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
    const captions = onlyError(await t.gql('mutation($sid: ID!) { startCaptions(input: { sessionId: $sid }) { id } }', { sid: sessionId }));
    expect(captions.extensions).toMatchObject({ code: 'CONFLICT', upstream: { status: 409, operation: 'startCaptions' } });
  });
});

describe('upstream failures', () => {
  it('UPSTREAM_UNAVAILABLE for 5xx and dropped connections; the rest of the response survives', async () => {
    const { sessionId } = await routedSessionWithPublishers(t, 1);
    await t.control.fault({ operation: 'archive.list', status: 503, count: 1 });
    const response = await t.gql(`query($sid: ID!) { archives { totalCount } session(id: $sid) { id } }`, { sid: sessionId });
    // `archives` is non-null, so its error nulls the whole data; `session` costs no upstream call.
    expect(response.data).toBeNull();
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 503, operation: 'listArchives' } });

    await t.control.fault({ operation: 'stream.list', status: 500, count: 1 });
    const partial = await t.gql(`query($sid: ID!) { session(id: $sid) { id streams { id } } archive(id: "${MISSING}") { id } }`, { sid: sessionId });
    expect(partial.data).toEqual({ session: null, archive: null });
    expect(partial.errors![0]!).toMatchObject({ path: ['session', 'streams'], extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 500 } } });

    await t.control.fault({ operation: 'broadcast.get', drop: true, count: 1 });
    const dropped = onlyError(await t.gql(`{ broadcast(id: "${MISSING}") { id } }`));
    expect(dropped.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: null, operation: 'getBroadcast' } });
  });

  it('RATE_LIMITED for a 429, with the upstream Retry-After', async () => {
    await t.control.fault({ operation: 'render.list', status: 429, retryAfter: 7, count: 1 });
    const error = onlyError(await t.gql('{ renders { totalCount } }'));
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 7, upstream: { status: 429, operation: 'listRenders' } });
  });

  it('UPSTREAM_ERROR when OpenTok refuses the gateway\'s own credentials', async () => {
    const wrong = await startTestGateway({ client: { apiSecret: 'not-the-secret' } });
    try {
      const error = onlyError(await wrong.gql('{ archives { totalCount } }'));
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: 403, operation: 'listArchives' } });
      expect(JSON.stringify(error)).not.toContain('not-the-secret');
    } finally {
      await wrong.close();
    }
  });
});

describe('unexpected errors', () => {
  it('are masked in the response and logged in full with the request id', async () => {
    const real = createOpenTokClient({ apiKey: t.emulator.apiKey, apiSecret: t.emulator.apiSecret, apiUrl: t.emulator.url });
    const broken: OpenTokClient = Object.create(real, {
      listArchives: { value: () => Promise.reject(new TypeError('secret internal detail')) },
    });
    const lines: string[] = [];
    const gateway = createGateway({ client: broken, log: createLogger('error', (line) => lines.push(line)) });
    const response = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-123' },
      body: JSON.stringify({ query: '{ archives { totalCount } }' }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(response.headers.get('x-request-id')).toBe('req-123');
    expect(body.errors[0]!.message).toBe('Unexpected error.');
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-123' });
    expect(JSON.stringify(body)).not.toContain('secret internal detail');
    expect(lines.some((line) => line.includes('req-123') && line.includes('secret internal detail'))).toBe(true);
  });
});

describe('request limits', () => {
  it('refuses too many aliases, too deep or too long documents before any upstream call', async () => {
    const before = (await t.control.requests()).total;
    const aliases = Array.from({ length: 51 }, (_, i) => `a${i}: archive(id: "${MISSING}") { id }`).join(' ');
    const tooMany = await t.gql(`{ ${aliases} }`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.errors![0]!.message).toMatch(/aliases/i);

    let nested = 'id';
    for (let i = 0; i < 7; i++) nested = `session { archives { items { ${nested} } } }`;
    const tooDeep = await t.gql(`{ archives { items { ${nested} } } }`);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.errors![0]!.message).toMatch(/depth/i);

    const tooLong = await t.gql(`{ archives { ${'totalCount '.repeat(6000)} } }`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.errors![0]!.message).toMatch(/token/i);
    expect((await t.control.requests()).total).toBe(before);
  });
});
