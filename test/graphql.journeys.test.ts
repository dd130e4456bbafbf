/**
 * The user's core journeys, end to end over real HTTP: GraphQL → gateway → client → emulator.
 * Simulated clients join with tokens minted by the gateway's own `generateToken`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, routedSessionWithPublishers, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ callbacks: true });
});
afterAll(async () => {
  await t?.close();
});

const ARCHIVE_FIELDS = 'id status name sessionId outputMode resolution streamMode hasAudio hasVideo duration size url createdAt reason';

describe('sessions and tokens', () => {
  it('creates a routed session whose id decodes, and mints tokens that admit simulated clients', async () => {
    const created = ok(
      await t.gql(`mutation { createSession(input: { mediaMode: ROUTED, location: "10.1.2.3" }) { id projectId createdAt location mediaMode archiveMode e2ee } }`),
    ).createSession;
    expect(created).toMatchObject({ projectId: t.emulator.apiKey, location: '10.1.2.3', mediaMode: 'ROUTED', archiveMode: 'MANUAL', e2ee: false });
    expect(Date.now() - Date.parse(created.createdAt)).toBeLessThan(60_000);

    const read = ok(await t.gql('query($id: ID!) { session(id: $id) { id projectId location mediaMode streams { id } } }', { id: created.id })).session;
    expect(read).toEqual({ id: created.id, projectId: t.emulator.apiKey, location: '10.1.2.3', mediaMode: null, streams: [] });

    const expireTime = new Date(Date.now() + 3600_000).toISOString();
    const tokens = ok(
      await t.gql(
        `mutation($sid: ID!, $exp: DateTime!) {
          mod: generateToken(input: { sessionId: $sid, role: MODERATOR, expireTime: $exp, data: "name=Ada", initialLayoutClassList: ["focus", "big"] }) {
            token role expiresAt data initialLayoutClassList tokenType session { id }
          }
          sub: generateToken(input: { sessionId: $sid, role: SUBSCRIBER, tokenType: T1 }) { token role tokenType expiresAt }
        }`,
        { sid: created.id, exp: expireTime },
      ),
    );
    expect(tokens.mod).toMatchObject({ role: 'MODERATOR', data: 'name=Ada', initialLayoutClassList: ['focus', 'big'], tokenType: 'JWT', session: { id: created.id } });
    expect(Math.abs(Date.parse(tokens.mod.expiresAt) - Date.parse(expireTime))).toBeLessThan(1000);
    expect(tokens.sub.token.startsWith('T1==')).toBe(true);
    expect(Date.parse(tokens.sub.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const moderator = await t.control.connect(created.id, tokens.mod.token);
    const subscriber = await t.control.connect(created.id, tokens.sub.token);
    expect(moderator.role).toBe('moderator');
    expect(subscriber.role).toBe('subscriber');
    expect((await t.control.session(created.id)).connections).toHaveLength(2);
  });

  it('returns null for a session id that is not an OpenTok id', async () => {
    expect(ok(await t.gql('{ session(id: "nope") { id } }')).session).toBeNull();
  });
});

describe('archives', () => {
  it('records a session: start, page with offset/count and cursors, stop, become available, delete', async () => {
    const { sessionId, streamIds } = await routedSessionWithPublishers(t, 2);

    const started = ok(
      await t.gql(
        `mutation($sid: ID!) { startArchive(input: { sessionId: $sid, name: "Weekly sync", resolution: RES_1280X720, layout: { type: BEST_FIT, screenshareType: PIP }, multiArchiveTag: "a" }) { ${ARCHIVE_FIELDS} multiArchiveTag session { id activeArchive { id } } } }`,
        { sid: sessionId },
      ),
    ).startArchive;
    expect(started).toMatchObject({ status: 'STARTED', name: 'Weekly sync', sessionId, outputMode: 'COMPOSED', resolution: 'RES_1280X720', streamMode: 'AUTO', multiArchiveTag: 'a', url: null, reason: null });
    expect(started.session.activeArchive).toEqual({ id: started.id });

    // A second, individual-output archive with another tag, and a third in manual stream mode.
    const second = ok(await t.gql(`mutation($sid: ID!) { startArchive(input: { sessionId: $sid, outputMode: INDIVIDUAL, multiArchiveTag: "b" }) { id outputMode resolution } }`, { sid: sessionId })).startArchive;
    expect(second).toMatchObject({ outputMode: 'INDIVIDUAL', resolution: null });
    const manual = ok(await t.gql(`mutation($sid: ID!) { startArchive(input: { sessionId: $sid, streamMode: MANUAL, multiArchiveTag: "c" }) { id streamMode streams { streamId } } }`, { sid: sessionId })).startArchive;
    expect(manual).toMatchObject({ streamMode: 'MANUAL', streams: [] });

    const added = ok(
      await t.gql(`mutation($id: ID!, $st: ID!) { addArchiveStream(id: $id, streamId: $st, hasVideo: false) { archiveId archive { streams { streamId hasAudio hasVideo stream { id name } } } } }`, { id: manual.id, st: streamIds[0] }),
    ).addArchiveStream;
    expect(added.archive.streams).toEqual([{ streamId: streamIds[0], hasAudio: true, hasVideo: false, stream: { id: streamIds[0], name: 'publisher 0' } }]);
    const removed = ok(await t.gql(`mutation($id: ID!, $st: ID!) { removeArchiveStream(id: $id, streamId: $st) { archiveId archive { streams { streamId } } } }`, { id: manual.id, st: streamIds[0] })).removeArchiveStream;
    expect(removed).toEqual({ archiveId: manual.id, archive: { streams: [] } });

    const layout = ok(await t.gql(`mutation($id: ID!) { setArchiveLayout(id: $id, layout: { type: CUSTOM, stylesheet: "stream.focus { width: 100%; }" }) { archiveId } }`, { id: started.id }));
    expect(layout.setArchiveLayout.archiveId).toBe(started.id);

    // Offset paging over this session's three archives, newest first.
    const page1 = ok(await t.gql(`query($sid: ID!) { archives(offset: 0, count: 2, sessionId: $sid) { totalCount hasMore items { id } } }`, { sid: sessionId })).archives;
    const page2 = ok(await t.gql(`query($sid: ID!) { archives(offset: 2, count: 2, sessionId: $sid) { totalCount hasMore items { id } } }`, { sid: sessionId })).archives;
    expect(page1).toEqual({ totalCount: 3, hasMore: true, items: [{ id: manual.id }, { id: second.id }] });
    expect(page2).toEqual({ totalCount: 3, hasMore: false, items: [{ id: started.id }] });

    // The same data as a Relay connection.
    const first = ok(
      await t.gql(`query($sid: ID!) { archivesConnection(first: 2, sessionId: $sid) { totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, { sid: sessionId }),
    ).archivesConnection;
    expect(first.totalCount).toBe(3);
    expect(first.nodes).toEqual([{ id: manual.id }, { id: second.id }]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0].cursor, endCursor: first.edges[1].cursor });
    const next = ok(
      await t.gql(`query($sid: ID!, $after: String) { archivesConnection(first: 2, after: $after, sessionId: $sid) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`, { sid: sessionId, after: first.pageInfo.endCursor }),
    ).archivesConnection;
    expect(next).toEqual({ nodes: [{ id: started.id }], pageInfo: { hasNextPage: false, hasPreviousPage: true } });

    await t.control.advance(30_000);
    const stopped = ok(await t.gql(`mutation($id: ID!) { stopArchive(id: $id) { ${ARCHIVE_FIELDS} } }`, { id: started.id })).stopArchive;
    expect(stopped).toMatchObject({ id: started.id, status: 'STOPPED', reason: 'user initiated' });
    for (const id of [second.id, manual.id]) ok(await t.gql(`mutation($id: ID!) { stopArchive(id: $id) { id } }`, { id }));

    await t.control.advance(5_000);
    const available = ok(await t.gql(`query($id: ID!) { archive(id: $id) { ${ARCHIVE_FIELDS} session { activeArchive { id } } } }`, { id: started.id })).archive;
    expect(available).toMatchObject({ status: 'AVAILABLE', duration: 30 });
    expect(available.size).toBeGreaterThan(0);
    expect(available.url).toMatch(/^https?:\/\//);
    expect(available.session.activeArchive).toBeNull();

    const deleted = ok(await t.gql(`mutation($id: ID!) { deleteArchive(id: $id) { deletedArchiveId } }`, { id: started.id })).deleteArchive;
    expect(deleted).toEqual({ deletedArchiveId: started.id });
    // Once deleted, OpenTok answers 404 for the id, so the query returns null (no error).
    const gone = await t.gql(`query($id: ID!) { archive(id: $id) { status } }`, { id: started.id });
    expect(gone.errors).toBeUndefined();
    expect(gone.data).toEqual({ archive: null });
  });
});

describe('broadcasts', () => {
  it('broadcasts to HLS and two RTMP servers, changes layout and streams, and stops', async () => {
    const { sessionId, streamIds } = await routedSessionWithPublishers(t, 2);
    const started = ok(
      await t.gql(
        `mutation($sid: ID!) {
          startBroadcast(input: {
            sessionId: $sid,
            outputs: {
              hls: { dvr: true },
              rtmp: [
                { id: "yt", serverUrl: "rtmp://a.rtmp.youtube.com/live2", streamName: "key-1" },
                { id: "twitch", serverUrl: "rtmps://live.twitch.tv/app", streamName: "key-2" }
              ]
            },
            layout: { type: HORIZONTAL_PRESENTATION },
            maxDuration: 3600,
            resolution: RES_1920X1080,
            streamMode: MANUAL
          }) {
            id status sessionId resolution maxDuration streamMode
            hls { url status dvr lowLatency }
            rtmp { id serverUrl streamName status }
            session { activeBroadcast { id } }
          }
        }`,
        { sid: sessionId },
      ),
    ).startBroadcast;
    expect(started).toMatchObject({ status: 'STARTED', sessionId, resolution: 'RES_1920X1080', maxDuration: 3600, streamMode: 'MANUAL', hls: { dvr: true, lowLatency: false } });
    expect(started.hls.url).toMatch(/\.m3u8(\?|$)/);
    expect(started.rtmp.map((r: { id: string }) => r.id)).toEqual(['yt', 'twitch']);
    expect(started.rtmp[1]).toMatchObject({ serverUrl: 'rtmps://live.twitch.tv/app', streamName: 'key-2' });
    expect(started.session.activeBroadcast).toEqual({ id: started.id });

    const layout = ok(await t.gql(`mutation($id: ID!) { setBroadcastLayout(id: $id, layout: { type: FOCUS }) { broadcastId } }`, { id: started.id }));
    expect(layout.setBroadcastLayout.broadcastId).toBe(started.id);
    const added = ok(await t.gql(`mutation($id: ID!, $st: ID!) { addBroadcastStream(id: $id, streamId: $st) { broadcast { streams { streamId } } } }`, { id: started.id, st: streamIds[1] }));
    expect(added.addBroadcastStream.broadcast.streams).toEqual([{ streamId: streamIds[1] }]);
    const removed = ok(await t.gql(`mutation($id: ID!, $st: ID!) { removeBroadcastStream(id: $id, streamId: $st) { broadcast { streams { streamId } } } }`, { id: started.id, st: streamIds[1] }));
    expect(removed.removeBroadcastStream.broadcast.streams).toEqual([]);

    const listed = ok(await t.gql(`query($sid: ID!) { broadcasts(offset: 0, count: 10, sessionId: $sid) { totalCount hasMore items { id status } } }`, { sid: sessionId })).broadcasts;
    expect(listed).toEqual({ totalCount: 1, hasMore: false, items: [{ id: started.id, status: 'STARTED' }] });

    const stopped = ok(await t.gql(`mutation($id: ID!) { stopBroadcast(id: $id) { id status session { activeBroadcast { id } } } }`, { id: started.id })).stopBroadcast;
    expect(stopped).toEqual({ id: started.id, status: 'STOPPED', session: { activeBroadcast: null } });
    expect(ok(await t.gql(`query($id: ID!) { broadcast(id: $id) { status } }`, { id: started.id })).broadcast).toEqual({ status: 'STOPPED' });
  });
});

describe('streams, signals and moderation', () => {
  it('reads streams, sets layout classes, signals, mutes and force-disconnects', async () => {
    const { sessionId, connectionIds, streamIds } = await routedSessionWithPublishers(t, 2);

    const streams = ok(await t.gql(`query($sid: ID!) { streams(sessionId: $sid) { id name videoType layoutClassList session { id } } }`, { sid: sessionId })).streams;
    expect(streams.map((s: { id: string }) => s.id).sort()).toEqual([...streamIds].sort());
    expect(streams[0]).toMatchObject({ videoType: 'CAMERA', layoutClassList: [], session: { id: sessionId } });

    const classes = ok(
      await t.gql(`mutation($sid: ID!, $st: ID!) { setStreamLayoutClasses(sessionId: $sid, items: [{ id: $st, layoutClassList: ["focus"] }]) { session { streams { id layoutClassList } } } }`, { sid: sessionId, st: streamIds[0] }),
    ).setStreamLayoutClasses;
    expect(classes.session.streams.find((s: { id: string }) => s.id === streamIds[0]).layoutClassList).toEqual(['focus']);
    expect(ok(await t.gql(`query($sid: ID!, $st: ID!) { stream(sessionId: $sid, id: $st) { layoutClassList } }`, { sid: sessionId, st: streamIds[0] })).stream).toEqual({ layoutClassList: ['focus'] });

    ok(await t.gql(`mutation($sid: ID!, $c: ID!) { sendSignal(sessionId: $sid, connectionId: $c, type: "chat", data: "hello Ada") { sessionId } }`, { sid: sessionId, c: connectionIds[0] }));
    ok(await t.gql(`mutation($sid: ID!) { sendSignal(sessionId: $sid, type: "all", data: "hello everyone") { sessionId } }`, { sid: sessionId }));
    const view = await t.control.session(sessionId);
    const signalsOf = (id: string) => view.connections.find((c: { connectionId: string }) => c.connectionId === id).signals.map((s: { data: string }) => s.data);
    expect(signalsOf(connectionIds[0]!)).toEqual(['hello Ada', 'hello everyone']);
    expect(signalsOf(connectionIds[1]!)).toEqual(['hello everyone']);

    ok(await t.gql(`mutation($sid: ID!, $st: ID!) { muteStream(sessionId: $sid, streamId: $st) { sessionId } }`, { sid: sessionId, st: streamIds[0] }));
    let muted = (await t.control.session(sessionId)).streams.map((s: { streamId: string; audioMuted: boolean }) => [s.streamId, s.audioMuted]);
    expect(Object.fromEntries(muted)).toEqual({ [streamIds[0]!]: true, [streamIds[1]!]: false });
    ok(await t.gql(`mutation($sid: ID!, $ex: [ID!]) { muteAllStreams(sessionId: $sid, excludedStreamIds: $ex) { sessionId } }`, { sid: sessionId, ex: [streamIds[1]] }));
    let after = await t.control.session(sessionId);
    expect(after.forceMute).toEqual({ active: true, excludedStreamIds: [streamIds[1]] });
    ok(await t.gql(`mutation($sid: ID!) { disableForceMute(sessionId: $sid) { sessionId } }`, { sid: sessionId }));
    after = await t.control.session(sessionId);
    expect(after.forceMute.active).toBe(false);

    const disconnected = ok(
      await t.gql(`mutation($sid: ID!, $c: ID!) { forceDisconnect(sessionId: $sid, connectionId: $c) { session { streams { id } } } }`, { sid: sessionId, c: connectionIds[0] }),
    ).forceDisconnect;
    expect(disconnected.session.streams).toEqual([{ id: streamIds[1] }]);
    expect((await t.control.session(sessionId)).connections.map((c: { connectionId: string }) => c.connectionId)).toEqual([connectionIds[1]]);
    expect(ok(await t.gql(`query($sid: ID!, $st: ID!) { stream(sessionId: $sid, id: $st) { id } }`, { sid: sessionId, st: streamIds[0] })).stream).toBeNull();
  });
});

describe('SIP, Audio Connector, renders and captions', () => {
  it('dials SIP and plays DTMF, connects audio, renders a page, and captions the session', async () => {
    const { sessionId } = await routedSessionWithPublishers(t, 1);

    const call = ok(
      await t.gql(
        `mutation($sid: ID!) { dialSip(input: { sessionId: $sid, uri: "sip:+15551234567@sip.example.com;transport=tls", from: "gateway@example.com", headers: [{ name: "X-Room", value: "42" }], secure: true, auth: { username: "u", password: "p" } }) {
          id connectionId streamId connection { id session { id } } stream { id }
        } }`,
        { sid: sessionId },
      ),
    ).dialSip;
    expect(call.connection).toEqual({ id: call.connectionId, session: { id: sessionId } });
    expect(call.stream).toEqual({ id: call.streamId });
    ok(await t.gql(`mutation($sid: ID!, $c: ID!) { playDtmf(sessionId: $sid, digits: "1p2#", connectionId: $c) { sessionId } }`, { sid: sessionId, c: call.connectionId }));
    ok(await t.gql(`mutation($sid: ID!) { playDtmf(sessionId: $sid, digits: "9") { sessionId } }`, { sid: sessionId }));

    const audio = ok(
      await t.gql(`mutation($sid: ID!) { connectAudioStream(input: { sessionId: $sid, uri: "wss://ai.example.com/audio", audioRate: HZ_16000, bidirectional: true, headers: [{ name: "k", value: "v" }] }) { id connectionId connection { id } } }`, { sid: sessionId }),
    ).connectAudioStream;
    expect(audio.connection.id).toBe(audio.connectionId);
    const connections = (await t.control.session(sessionId)).connections.map((c: { connectionId: string }) => c.connectionId);
    expect(connections).toEqual(expect.arrayContaining([call.connectionId, audio.connectionId]));

    const render = ok(
      await t.gql(`mutation($sid: ID!) { startRender(input: { sessionId: $sid, url: "https://app.example.com/whiteboard", maxDuration: 1800, resolution: RES_1280X720, name: "Whiteboard" }) { id status sessionId url name resolution } }`, { sid: sessionId }),
    ).startRender;
    expect(render).toMatchObject({ sessionId, url: 'https://app.example.com/whiteboard', name: 'Whiteboard', resolution: 'RES_1280X720' });
    await t.control.advance(5_000);
    const listed = ok(await t.gql(`query($id: ID!) { render(id: $id) { id status streamId } renders(offset: 0, count: 5) { totalCount hasMore items { id } } }`, { id: render.id }));
    expect(listed.render.status).toBe('STARTED');
    expect(listed.renders.items).toContainEqual({ id: render.id });
    const stopped = ok(await t.gql(`mutation($id: ID!) { stopRender(id: $id) { renderId render { status } } }`, { id: render.id })).stopRender;
    expect(stopped).toEqual({ renderId: render.id, render: { status: 'STOPPED' } });

    const captions = ok(await t.gql(`mutation($sid: ID!) { startCaptions(input: { sessionId: $sid, languageCode: EN_US, maxDuration: 1800, partialCaptions: false }) { id sessionId session { id } } }`, { sid: sessionId })).startCaptions;
    expect(captions).toMatchObject({ sessionId, session: { id: sessionId } });
    expect((await t.control.session(sessionId)).activeCaptionsIds).toEqual([captions.id]);
    expect(ok(await t.gql(`mutation($id: ID!) { stopCaptions(id: $id) { captionsId } }`, { id: captions.id })).stopCaptions).toEqual({ captionsId: captions.id });
    expect((await t.control.session(sessionId)).activeCaptionsIds).toEqual([]);
  });
});

describe('OpenTok callbacks', () => {
  it('receives the emulator\'s callbacks on /webhooks/opentok and serves them as recentEvents and an SSE subscription', async () => {
    const { sessionId } = await routedSessionWithPublishers(t, 1);

    // Subscribe over Server-Sent Events before anything happens.
    const abort = new AbortController();
    const response = await fetch(`${t.graphqlUrl}?query=${encodeURIComponent(`subscription { opentokEvents(sessionId: "${sessionId}", types: ["archive"]) { type status archive { id name } } }`)}`, {
      // A GET from a script: it carries a header a cross-site form or EventSource cannot (CSRF prevention).
      headers: { accept: 'text/event-stream', 'graphql-require-preflight': '1' },
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();

    const archive = ok(await t.gql(`mutation($sid: ID!) { startArchive(input: { sessionId: $sid, name: "evented" }) { id } }`, { sid: sessionId })).startArchive;

    let text = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (!text.includes('"archive"') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    const event = text.split('\n').find((line) => line.startsWith('data:') && line.includes('opentokEvents'));
    expect(JSON.parse(event!.slice(5))).toEqual({ data: { opentokEvents: { type: 'archive', status: 'started', archive: { id: archive.id, name: 'evented' } } } });

    const recent = ok(await t.gql(`query($sid: ID!) { recentEvents(sessionId: $sid, last: 50) { type sessionId status receivedAt payload } }`, { sid: sessionId })).recentEvents;
    expect(recent.some((e: { type: string; status: string }) => e.type === 'archive' && e.status === 'started')).toBe(true);
    expect(JSON.parse(recent[0].payload)).toMatchObject({ sessionId });
  });
});
