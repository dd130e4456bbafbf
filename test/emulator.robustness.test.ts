/**
 * Authentication as the platform does it, and robustness: malformed input gets the real status
 * and body, nothing is half-applied, and no request takes the process down.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenGenerator } from '../src/client/tokens.js';
import { control, projectJwt, rest, startEmulator, type RunningEmulator } from './support/emulator.js';

let emu: RunningEmulator;
let ctl: ReturnType<typeof control>;
let token: ReturnType<typeof createTokenGenerator>;

beforeAll(async () => {
  emu = await startEmulator({ apiKey: '123456', apiSecret: 'a'.repeat(40) });
  ctl = control(emu);
  token = createTokenGenerator({ apiKey: emu.apiKey, apiSecret: emu.apiSecret });
});
afterAll(() => emu.close());

async function routed(): Promise<string> {
  const r = await rest(emu, 'POST', '/session/create', 'p2p.preference=disabled', { 'content-type': 'application/x-www-form-urlencoded' });
  return r.json[0].session_id;
}

describe('REST authentication', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts `ist` in the payload (Node) and in the JOSE header (Ruby)', async () => {
    const ruby = projectJwt(emu, { header: { ist: 'project', typ: undefined }, payload: { ist: undefined } });
    expect((await rest(emu, 'GET', '{P}/archive', undefined, { 'x-opentok-auth': ruby })).status).toBe(200);
    expect((await rest(emu, 'GET', '{P}/archive')).status).toBe(200);
  });

  it('answers 403 with the real bodies: missing auth, unknown issuer, bad signature, expired, wrong ist', async () => {
    const missing = await rest(emu, 'GET', '{P}/archive', undefined, { 'x-opentok-auth': '' });
    expect(missing.status).toBe(403);
    expect(missing.json).toEqual({ code: -1, message: 'No suitable authentication found', description: 'No suitable authentication found' });

    const stranger = projectJwt({ apiKey: '999999', apiSecret: emu.apiSecret });
    const unknown = await rest(emu, 'GET', '/v2/project/999999/archive', undefined, { 'x-opentok-auth': stranger });
    expect(unknown.json).toEqual({ code: -1, message: 'Issuer not found', description: 'Issuer not found' });

    const cases: Array<[string, string]> = [
      [projectJwt(emu, { secret: 'wrong' }), 'Invalid token signature'],
      [projectJwt(emu, { payload: { iat: now() - 900, exp: now() - 600 } }), 'Token expired'],
      [projectJwt(emu, { payload: { ist: 'account' } }), 'ist must be "project"'],
      [projectJwt(emu, { payload: { exp: now() + 3600 } }), 'more than 300 seconds'],
      [projectJwt(emu, { header: { alg: 'none' } }), 'HS256'],
      ['not-a-jwt', 'Invalid token'],
    ];
    for (const [jwt, message] of cases) {
      const r = await rest(emu, 'GET', '{P}/archive', undefined, { 'x-opentok-auth': jwt });
      expect(r.status).toBe(403);
      expect(r.json.code).toBe(-1);
      expect(r.json.message).toContain(message);
    }
    // A valid token for our project used on another project's path.
    const other = await rest(emu, 'GET', '/v2/project/654321/archive');
    expect(other.status).toBe(403);
  });

  it('session create and signals answer errors as XML to clients that do not ask for JSON (Ruby sends */*)', async () => {
    const create = await rest(emu, 'POST', '/session/create', 'location=nowhere', { accept: '*/*', 'content-type': 'application/x-www-form-urlencoded' });
    expect(create.status).toBe(400);
    expect(create.text).toMatch(/^<\?xml .*<errorPayload><code>400<\/code><message>location must be an IPv4 address<\/message>/);
    const signal = await rest(emu, 'POST', '{P}/session/1_bm9wZQ/signal', { type: 'x', data: 'y' }, { accept: '*/*', 'x-opentok-auth': '' });
    expect(signal.headers.get('content-type')).toBe('application/xml');
    expect(signal.text).toContain('<message>No suitable authentication found</message>');
    const archive = await rest(emu, 'GET', '{P}/archive', undefined, { accept: '*/*', 'x-opentok-auth': '' });
    expect(archive.json.message).toBe('No suitable authentication found');
  });

  it('answers errors as XML to clients that ask for XML', async () => {
    const r = await rest(emu, 'GET', '{P}/archive', undefined, { 'x-opentok-auth': '', accept: 'application/xml' });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toBe('application/xml');
    expect(r.text).toContain('<errorPayload><code>-1</code><message>No suitable authentication found</message>');
  });

  it('verifies Vonage RS256 bearer tokens when a Vonage application is configured', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const applicationId = randomUUID();
    const vonage = await startEmulator({ vonage: { applicationId, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    try {
      const bearer = (claims: Record<string, unknown>, key = privateKey) => {
        const input = `${Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
        return `Bearer ${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
      };
      const iat = now();
      const good = bearer({ application_id: applicationId, iat, exp: iat + 900, jti: randomUUID() });
      const ok = await fetch(`${vonage.url}/v2/project/${applicationId}/archive`, { headers: { authorization: good } });
      expect(ok.status).toBe(200);
      const created = await fetch(`${vonage.url}/session/create`, { method: 'POST', headers: { authorization: good, accept: 'application/json' }, body: 'p2p.preference=disabled' });
      expect(created.status).toBe(200);
      const forged = bearer({ application_id: applicationId, iat, exp: iat + 900 }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
      expect((await fetch(`${vonage.url}/v2/project/${applicationId}/archive`, { headers: { authorization: forged } })).status).toBe(403);
      const otherApp = bearer({ application_id: randomUUID(), iat, exp: iat + 900 });
      expect((await fetch(`${vonage.url}/v2/project/${applicationId}/archive`, { headers: { authorization: otherApp } })).status).toBe(403);
    } finally {
      await vonage.close();
    }
  });
});

describe('session create', () => {
  it('answers a JSON array to JSON clients and XML otherwise; ids embed the API key', async () => {
    const json = await rest(emu, 'POST', '/session/create', 'p2p.preference=enabled&archiveMode=manual', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(json.json).toEqual([{ session_id: expect.stringMatching(/^1_/), project_id: '123456', partner_id: '123456', create_dt: expect.any(String), media_server_url: '' }]);
    const decoded = Buffer.from(json.json[0].session_id.slice(2), 'base64url').toString();
    expect(decoded.split('~')[1]).toBe('123456');
    const xml = await rest(emu, 'POST', '/session/create', 'p2p.preference=disabled', { accept: '*/*', 'content-type': '' });
    expect(xml.headers.get('content-type')).toBe('text/xml');
    expect(xml.text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?><sessions><Session><session_id>1_[^<]+<\/session_id><partner_id>123456<\/partner_id><create_dt>/);
  });

  it('accepts the SDK quirks (location=null, no content type) and rejects invalid combinations', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await rest(emu, 'POST', '/session/create', 'archiveMode=manual&location=null&p2p.preference=disabled', form)).status).toBe(200);
    expect((await rest(emu, 'POST', '/session/create', 'location=10.0.0.1', { 'content-type': '' })).status).toBe(200);
    const bad: Array<[string, string]> = [
      ['archiveMode=always&p2p.preference=enabled', 'routed media mode'],
      ['e2ee=true&p2p.preference=enabled', 'relayed'],
      ['e2ee=true&archiveMode=always&p2p.preference=disabled', 'always archive mode'],
      ['location=::1', 'IPv4'],
      ['archiveMode=sometimes', 'archiveMode'],
      ['archiveName=x&archiveMode=manual', 'only allowed'],
      ['archiveMode=always&archiveResolution=800x600&p2p.preference=disabled', 'archiveResolution'],
    ];
    for (const [body, message] of bad) {
      const r = await rest(emu, 'POST', '/session/create', body, form);
      expect(r.status, body).toBe(400);
      expect(r.json.message).toContain(message);
    }
  });
});

describe('robustness', () => {
  it('malformed JSON, non-object bodies and wrong types get 400 with a message naming the problem', async () => {
    expect((await rest(emu, 'POST', '{P}/archive', '{"sessionId": ')).json).toEqual({ code: 400, message: 'Invalid JSON in request body' });
    expect((await rest(emu, 'POST', '{P}/archive', '[1,2]')).status).toBe(400);
    expect((await rest(emu, 'POST', '{P}/archive', '"text"')).status).toBe(400);
    const sessionId = await routed();
    const conn = await ctl.connect(sessionId, token(sessionId));
    const wrong: Array<[unknown, string]> = [
      [{ sessionId, hasAudio: 'yes' }, 'hasAudio must be a boolean'],
      [{ sessionId: 42 }, 'sessionId must be a string'],
      [{ sessionId, outputMode: 'mosaic' }, 'outputMode must be one of'],
      [{ sessionId, maxBitrate: '1e9' }, 'maxBitrate must be an integer'],
      [{ sessionId, hasAudio: false, hasVideo: false }, 'cannot both be false'],
      [{ sessionId, outputMode: 'individual', resolution: '1280x720' }, 'individual'],
      [{ sessionId, layout: { type: 'custom' } }, 'stylesheet'],
      [{ sessionId, layout: { type: 'pip', screenshareType: 'pip' } }, 'bestFit'],
    ];
    for (const [body, message] of wrong) {
      const r = await rest(emu, 'POST', '{P}/archive', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.message).toContain(message);
    }
    // None of those started anything.
    expect((await ctl.session(sessionId)).activeArchiveIds).toEqual([]);
    expect(conn.connectionId).toEqual(expect.any(String));
  });

  it('accepts the body quirks of §8: bodiless and {} POSTs, string booleans, snake_case, aliases, trailing slashes', async () => {
    const sessionId = await routed();
    const conn = await ctl.connect(sessionId, token(sessionId, { role: 'moderator' }));
    const stream = await ctl.publish(sessionId, conn.connectionId, {});
    const a = await rest(emu, 'POST', '{P}/archive', { sessionId, hasAudio: 'true', layout: { type: 'bestFit', screenshare_type: 'pip' } });
    expect(a.status).toBe(200);
    expect((await rest(emu, 'POST', `{P}/archive/${a.json.id}/stop`, '', { 'content-type': 'application/json' })).status).toBe(200);
    expect((await rest(emu, 'POST', `{P}/session/${sessionId}/stream/${stream.streamId}/mute`)).status).toBe(200);
    expect((await rest(emu, 'POST', `{P}/session/${sessionId}/mute`, { active: 'true', excludedStreams: [stream.streamId] })).status).toBe(200);
    expect((await ctl.session(sessionId)).forceMute).toEqual({ active: true, excludedStreamIds: [stream.streamId] });
    const b = await rest(emu, 'POST', '{P}/broadcast/', { sessionId, outputs: { hls: { low_latency: 'true' }, rtmp: { id: 'one', serverUrl: 'rtmps://x.example.com/live', streamName: 's' } } });
    expect(b.status).toBe(200);
    expect(b.json.settings.hls.lowLatency).toBe(true);
    expect(b.json.broadcastUrls.rtmp).toHaveLength(1);
    expect((await rest(emu, 'GET', '{P}/broadcast/')).json.count).toBe(1);
    expect((await rest(emu, 'POST', '{P}/dial', { sessionId, token: token(sessionId), sip: { uri: 'sip:1@x.example.com', secure: 'true', video: 'false' } })).status).toBe(200);
  });

  it('enforces broadcast limits: at most five RTMP targets, not dvr and lowLatency together', async () => {
    const sessionId = await routed();
    const rtmp = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, serverUrl: 'rtmp://x.example.com/app', streamName: `s${i}` }));
    expect((await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: { rtmp } })).status).toBe(400);
    expect((await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: { hls: { dvr: true, lowLatency: true } } })).status).toBe(400);
    expect((await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: {} })).status).toBe(400);
    expect((await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: { rtmp: rtmp.slice(0, 5) } })).status).toBe(200);
  });

  it('never half-applies: a class-list update naming one unknown stream changes nothing', async () => {
    const sessionId = await routed();
    const conn = await ctl.connect(sessionId, token(sessionId));
    const stream = await ctl.publish(sessionId, conn.connectionId, {});
    const r = await rest(emu, 'PUT', `{P}/session/${sessionId}/stream`, {
      items: [{ id: stream.streamId, layoutClassList: ['full'] }, { id: randomUUID(), layoutClassList: ['focus'] }],
    });
    expect(r.status).toBe(404);
    expect((await ctl.session(sessionId)).streams[0].layoutClassList).toEqual([]);
  });

  it('signals: 413 above 128-byte types or 8 kB data, 400 for bad types, 404 for unknown sessions', async () => {
    const sessionId = await routed();
    await ctl.connect(sessionId, token(sessionId));
    expect((await rest(emu, 'POST', `{P}/session/${sessionId}/signal`, { type: 't'.repeat(129), data: '' })).status).toBe(413);
    expect((await rest(emu, 'POST', `{P}/session/${sessionId}/signal`, { type: 'ok', data: 'é'.repeat(4097) })).status).toBe(413);
    expect((await rest(emu, 'POST', `{P}/session/${sessionId}/signal`, { type: 'ok', data: 'x'.repeat(8192) })).status).toBe(204);
    expect((await rest(emu, 'POST', `{P}/session/${sessionId}/signal`, { type: 'has space', data: 'x' })).status).toBe(400);
    expect((await rest(emu, 'POST', '{P}/session/1_bm9wZQ/signal', { type: 'x', data: 'x' })).status).toBe(404);
  });

  it('stream lookups answer 404 until someone has published in the session, then 200 even when empty', async () => {
    const sessionId = await routed();
    const conn = await ctl.connect(sessionId, token(sessionId));
    const before = await rest(emu, 'GET', `{P}/session/${sessionId}/stream`);
    expect(before.status).toBe(404);
    expect(before.json.message).toBe('The session exists but has not had any streams added to it yet.');
    const stream = await ctl.publish(sessionId, conn.connectionId, {});
    await ctl.unpublish(sessionId, conn.connectionId, stream.streamId);
    expect((await rest(emu, 'GET', `{P}/session/${sessionId}/stream`)).json).toEqual({ count: 0, items: [] });
    expect((await rest(emu, 'GET', `{P}/session/${sessionId}/stream/${stream.streamId}`)).status).toBe(404);
  });

  it('a huge body gets 413; unknown paths 404 JSON; wrong methods 405', async () => {
    const huge = await rest(emu, 'POST', '{P}/archive', JSON.stringify({ sessionId: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.json).toEqual({ code: 413, message: 'Request entity too large' });
    const unknown = await rest(emu, 'GET', '/v2/project/123456/teleport');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ code: 404, message: 'Not found' });
    const wrong = await rest(emu, 'PATCH', '{P}/archive');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    expect((await fetch(`${emu.url}/_emulator/nope`)).status).toBe(404);
    // Still serving.
    expect((await rest(emu, 'GET', '{P}/archive')).status).toBe(200);
  });

  it('survives broken HTTP on a raw socket', async () => {
    const port = Number(new URL(emu.url).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    const longUrl = await fetch(`${emu.url}/v2/project/123456/archive?${'x'.repeat(20_000)}`).then((r) => r.status, () => 0);
    expect([0, 431]).toContain(longUrl);
    expect((await rest(emu, 'GET', '{P}/archive')).status).toBe(200);
  });

  it('archive rules: routed only (409), a connected client (400 with the real message), one per session unless tagged (409)', async () => {
    const relayed = (await rest(emu, 'POST', '/session/create', 'p2p.preference=enabled', { 'content-type': 'application/x-www-form-urlencoded' })).json[0].session_id;
    await ctl.connect(relayed, token(relayed));
    expect((await rest(emu, 'POST', '{P}/archive', { sessionId: relayed })).status).toBe(409);
    const empty = await routed();
    const noClients = await rest(emu, 'POST', '{P}/archive', { sessionId: empty });
    expect(noClients.status).toBe(400);
    expect(noClients.json.message).toBe('Not found. No clients are actively connected to the OpenTok session.');
    expect((await rest(emu, 'POST', '{P}/archive', { sessionId: '1_bm9wZQ' })).status).toBe(404);
  });
});
