/**
 * The control API under /_emulator: simulated clients, request counters and reset, faults,
 * the injectable clock and the lifecycles it drives, settings. All over real HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenGenerator } from '../src/client/tokens.js';
import { control, rest, startEmulator, type RunningEmulator } from './support/emulator.js';

let emu: RunningEmulator;
let ctl: ReturnType<typeof control>;
let token: ReturnType<typeof createTokenGenerator>;

beforeAll(async () => {
  emu = await startEmulator();
  ctl = control(emu);
  token = createTokenGenerator({ apiKey: emu.apiKey, apiSecret: emu.apiSecret });
});
afterAll(() => emu.close());
beforeEach(async () => {
  await ctl.reset();
});

async function routed(): Promise<string> {
  const r = await rest(emu, 'POST', '/session/create', 'p2p.preference=disabled', { 'content-type': 'application/x-www-form-urlencoded' });
  return r.json[0].session_id;
}

async function client(sessionId: string, publish = true) {
  const conn = await ctl.connect(sessionId, token(sessionId, { role: 'publisher', data: 'who=me' }));
  const stream = publish ? await ctl.publish(sessionId, conn.connectionId, { name: 'cam' }) : null;
  return { connectionId: conn.connectionId, streamId: stream?.streamId ?? '' };
}

describe('simulated clients', () => {
  it('connect, publish, unpublish and leave, with the session view following along', async () => {
    const sessionId = await routed();
    const conn = await ctl.connect(sessionId, token(sessionId, { role: 'publisher', data: 'n=1', initialLayoutClassList: ['focus'] }));
    expect(conn).toEqual({ connectionId: expect.any(String), sessionId, role: 'publisher', data: 'n=1', createdAt: expect.any(Number) });
    const stream = await ctl.publish(sessionId, conn.connectionId, { name: 'screen', videoType: 'screen', hasAudio: false });
    expect(stream).toMatchObject({ streamId: expect.any(String), videoType: 'screen', hasAudio: false, hasVideo: true, layoutClassList: ['focus'] });
    let view = await ctl.session(sessionId);
    expect(view.streams).toHaveLength(1);
    expect(view.connections[0]).toMatchObject({ connectionId: conn.connectionId, kind: 'client', signals: [] });

    const del = await ctl.call('DELETE', `/sessions/${sessionId}/connections/${conn.connectionId}/streams/${stream.streamId}`);
    expect(del.status).toBe(204);
    const second = await ctl.publish(sessionId, conn.connectionId, {});
    const leave = await ctl.call('DELETE', `/sessions/${sessionId}/connections/${conn.connectionId}`);
    expect(leave.status).toBe(204);
    view = await ctl.session(sessionId);
    expect(view.connections).toEqual([]);
    expect(view.streams.map((s: any) => s.streamId)).not.toContain(second.streamId);
  });

  it('answers 404 for unknown sessions, connections and streams, 400 for bad bodies', async () => {
    const sessionId = await routed();
    expect((await ctl.call('POST', '/sessions/1_nope/connections', { token: token(sessionId) })).status).toBe(404);
    expect((await ctl.call('POST', `/sessions/${sessionId}/connections/nope/streams`, {})).status).toBe(404);
    expect((await ctl.call('DELETE', `/sessions/${sessionId}/connections/nope`)).status).toBe(404);
    const { connectionId } = await client(sessionId, false);
    expect((await ctl.call('POST', `/sessions/${sessionId}/connections/${connectionId}/streams`, { videoType: 'hologram' })).status).toBe(400);
    expect((await ctl.call('POST', `/sessions/${sessionId}/connections`, {})).status).toBe(401);
    expect((await ctl.call('GET', '/sessions/1_nope')).status).toBe(404);
  });
});

describe('request counters and reset', () => {
  it('counts REST requests by operation (not control calls) and reset clears them and the state', async () => {
    const sessionId = await routed();
    await client(sessionId);
    const a = await rest(emu, 'POST', '{P}/archive', { sessionId });
    await rest(emu, 'GET', `{P}/archive/${a.json.id}`);
    await rest(emu, 'GET', `{P}/archive/${a.json.id}`);
    await rest(emu, 'GET', '{P}/archive?count=50');
    await rest(emu, 'GET', `{P}/session/${sessionId}/stream`);
    await rest(emu, 'GET', '/nowhere');
    const counters = await ctl.requests();
    expect(counters).toEqual({
      total: 7,
      byOperation: { 'session.create': 1, 'archive.start': 1, 'archive.get': 2, 'archive.list': 1, 'stream.list': 1, unknown: 1 },
    });
    await ctl.reset();
    expect(await ctl.requests()).toEqual({ total: 0, byOperation: {} });
    expect((await ctl.call('GET', `/sessions/${sessionId}`)).status).toBe(404);
    expect((await rest(emu, 'GET', `{P}/archive/${a.json.id}`)).status).toBe(404);
  });
});

describe('faults', () => {
  it('answers the injected status for the next N requests of one operation, with Retry-After for 429', async () => {
    const sessionId = await routed();
    await client(sessionId);
    const fault = await ctl.fault({ operation: 'stream.list', status: 429, retryAfter: 3, count: 2 });
    expect(fault).toMatchObject({ id: expect.any(String), operations: ['stream.list'], status: 429, retryAfter: 3, remaining: 2 });
    const first = await rest(emu, 'GET', `{P}/session/${sessionId}/stream`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await rest(emu, 'GET', `{P}/session/${sessionId}/stream`)).status).toBe(429);
    expect((await rest(emu, 'GET', `{P}/session/${sessionId}/stream`)).status).toBe(200);
    // Other operations were never affected.
    expect((await rest(emu, 'GET', '{P}/archive')).status).toBe(200);
  });

  it('faults an exact share of requests, and DELETE clears all faults', async () => {
    await ctl.fault({ operation: 'archive.list', status: 503, rate: 0.25 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await rest(emu, 'GET', '{P}/archive')).status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(statuses).toEqual([200, 200, 200, 503, 200, 200, 200, 503]);
    expect((await ctl.call('DELETE', '/faults')).status).toBe(204);
    expect((await ctl.call('GET', '/faults')).json).toEqual([]);
    expect((await rest(emu, 'GET', '{P}/archive')).status).toBe(200);
  });

  it('adds latency, and drops the connection without an answer', async () => {
    await ctl.fault({ operation: 'archive.list', latencyMs: 300, count: 1 });
    const started = Date.now();
    expect((await rest(emu, 'GET', '{P}/archive')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await ctl.fault({ operation: '*', drop: true, count: 1 });
    await expect(rest(emu, 'GET', '{P}/archive')).rejects.toThrow();
    expect((await rest(emu, 'GET', '{P}/archive')).status).toBe(200);
    // Faulted requests still count as upstream calls.
    expect((await ctl.requests()).byOperation['archive.list']).toBe(3);
  });

  it('rejects malformed fault specs', async () => {
    expect((await ctl.call('POST', '/faults', {})).status).toBe(400);
    expect((await ctl.call('POST', '/faults', { status: 700 })).status).toBe(400);
    expect((await ctl.call('POST', '/faults', { status: 500, count: 1, rate: 0.5 })).status).toBe(400);
  });
});

describe('clock and lifecycles', () => {
  it('reports and advances the clock', async () => {
    const before = (await ctl.call('GET', '/clock')).json;
    const after = await ctl.advance(3_600_000);
    expect(after.offsetMs).toBe(3_600_000);
    expect(after.now - before.now).toBeGreaterThanOrEqual(3_600_000);
    expect((await ctl.call('POST', '/clock', { advanceMs: -5 })).status).toBe(400);
  });

  it('archives pause without publishers, resume, and stop 60 s after everyone leaves (session ended)', async () => {
    const sessionId = await routed();
    const c = await client(sessionId);
    const a = (await rest(emu, 'POST', '{P}/archive', { sessionId })).json;
    await ctl.advance(10_000);
    await ctl.unpublish(sessionId, c.connectionId, c.streamId);
    expect((await rest(emu, 'GET', `{P}/archive/${a.id}`)).json.status).toBe('paused');
    const again = await ctl.publish(sessionId, c.connectionId, {});
    expect((await rest(emu, 'GET', `{P}/archive/${a.id}`)).json.status).toBe('started');
    await ctl.advance(5_000);
    await ctl.unpublish(sessionId, c.connectionId, again.streamId);
    await ctl.disconnect(sessionId, c.connectionId);
    await ctl.advance(59_000);
    expect((await rest(emu, 'GET', `{P}/archive/${a.id}`)).json.status).toBe('paused');
    await ctl.advance(1_000);
    const stopped = (await rest(emu, 'GET', `{P}/archive/${a.id}`)).json;
    expect(stopped).toMatchObject({ status: 'stopped', reason: 'session ended' });
    await ctl.advance(1_000);
    const available = (await rest(emu, 'GET', `{P}/archive/${a.id}`)).json;
    expect(available).toMatchObject({ status: 'available', duration: 15 });
    expect(available.url).toEqual(expect.any(String));
    await ctl.advance(72 * 3_600_000);
    expect((await rest(emu, 'GET', `{P}/archive/${a.id}`)).json).toMatchObject({ status: 'expired', url: null });
  });

  it('paused archives stop after 60 idle minutes with clients still connected, and recordings after 4 hours', async () => {
    const sessionId = await routed();
    await client(sessionId, false);
    const idle = (await rest(emu, 'POST', '{P}/archive', { sessionId })).json;
    await ctl.advance(60 * 60_000);
    expect((await rest(emu, 'GET', `{P}/archive/${idle.id}`)).json).toMatchObject({ status: 'stopped', reason: 'maximum idle time exceeded' });

    const other = await routed();
    await client(other);
    const long = (await rest(emu, 'POST', '{P}/archive', { sessionId: other })).json;
    await ctl.advance(4 * 3_600_000);
    expect((await rest(emu, 'GET', `{P}/archive/${long.id}`)).json).toMatchObject({ status: 'stopped', reason: 'maximum duration exceeded' });
  });

  it('settings choose the final archive state: uploaded (no url) or failed', async () => {
    const sessionId = await routed();
    await client(sessionId);
    expect((await ctl.settings({ archiveOutcome: 'uploaded', stoppedToAvailableMs: 10 })).archiveOutcome).toBe('uploaded');
    const a = (await rest(emu, 'POST', '{P}/archive', { sessionId })).json;
    await rest(emu, 'POST', `{P}/archive/${a.id}/stop`);
    await ctl.advance(10);
    expect((await rest(emu, 'GET', `{P}/archive/${a.id}`)).json).toMatchObject({ status: 'uploaded', url: null });
    await ctl.settings({ archiveOutcome: 'failed' });
    const b = (await rest(emu, 'POST', '{P}/archive', { sessionId })).json;
    await rest(emu, 'POST', `{P}/archive/${b.id}/stop`);
    await ctl.advance(10);
    expect((await rest(emu, 'GET', `{P}/archive/${b.id}`)).json).toMatchObject({ status: 'failed', reason: 'failure' });
    expect((await ctl.call('PUT', '/settings', { archiveOutcome: 'lost' })).status).toBe(400);
  });

  it('stopped archives become available after about a second of real time too', async () => {
    const sessionId = await routed();
    await client(sessionId);
    await ctl.settings({ stoppedToAvailableMs: 100 });
    const a = (await rest(emu, 'POST', '{P}/archive', { sessionId })).json;
    await rest(emu, 'POST', `{P}/archive/${a.id}/stop`);
    await new Promise((r) => setTimeout(r, 200));
    expect((await rest(emu, 'GET', `{P}/archive/${a.id}`)).json.status).toBe('available');
  });

  it('broadcasts stop at maxDuration; renders and captions at theirs', async () => {
    const sessionId = await routed();
    const c = await client(sessionId);
    const b = (await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: { hls: { dvr: true } }, maxDuration: 60 })).json;
    expect(b.broadcastUrls.hls).toMatch(/\?DVR$/);
    const r = (await rest(emu, 'POST', '{P}/render', { sessionId, token: token(sessionId), url: 'https://example.com/render', maxDuration: 60 })).json;
    const cap = (await rest(emu, 'POST', '{P}/captions', { sessionId, token: token(sessionId), maxDuration: 300 })).json;
    await ctl.advance(60_000);
    expect((await rest(emu, 'GET', `{P}/broadcast/${b.id}`)).json.status).toBe('stopped');
    expect((await rest(emu, 'GET', `{P}/render/${r.id}`)).json).toMatchObject({ status: 'stopped', reason: 'Max duration exceeded' });
    await ctl.advance(240_000);
    expect((await rest(emu, 'GET', `{P}/captions/${cap.captionsId}`)).json).toMatchObject({ status: 'stopped' });
    // The render's own connection left; the simulated client is still there.
    expect((await ctl.session(sessionId)).connections.map((x: any) => x.connectionId)).toEqual([c.connectionId]);
  });

  it('broadcasts: RTMP goes live with a publisher, back to connecting without one, and stops 60 s after everyone left', async () => {
    const sessionId = await routed();
    const c = await client(sessionId);
    const rtmp = [{ id: 'yt', serverUrl: 'rtmp://live.example.com/app', streamName: 'k' }];
    const b = (await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: { hls: {}, rtmp } })).json;
    const status = async () => (await rest(emu, 'GET', `{P}/broadcast/${b.id}`)).json;
    expect((await status()).broadcastUrls.rtmp[0].status).toBe('connecting');
    await ctl.advance(1000);
    expect((await status()).broadcastUrls).toMatchObject({ hlsStatus: 'live', rtmp: [{ status: 'live' }] });
    await ctl.unpublish(sessionId, c.connectionId, c.streamId);
    expect((await status()).broadcastUrls.rtmp[0].status).toBe('connecting');
    await ctl.disconnect(sessionId, c.connectionId);
    await ctl.advance(59_000);
    expect((await status()).status).toBe('started');
    await ctl.advance(1_000);
    expect(await status()).toMatchObject({ status: 'stopped', broadcastUrls: null });
  });

  it('client token expiry follows the emulator clock', async () => {
    const sessionId = await routed();
    const t = token(sessionId, { expireTime: Math.floor(Date.now() / 1000) + 3600 });
    await ctl.advance(3_601_000);
    const r = await ctl.call('POST', `/sessions/${sessionId}/connections`, { token: t });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ reason: 'EXPIRED' });
  });
});

describe('media URLs', () => {
  it('serves the archive file and the HLS playlist the emulator hands out', async () => {
    const sessionId = await routed();
    await client(sessionId);
    const b = (await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: { hls: {} } })).json;
    const playlist = await fetch(b.broadcastUrls.hls);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toMatch(/^#EXTM3U/);
    const a = (await rest(emu, 'POST', '{P}/archive', { sessionId })).json;
    await ctl.advance(2000);
    await rest(emu, 'POST', `{P}/archive/${a.id}/stop`);
    await ctl.advance(2000);
    const got = (await rest(emu, 'GET', `{P}/archive/${a.id}`)).json;
    const file = await fetch(got.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
  });
});
