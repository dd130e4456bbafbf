/**
 * Callback delivery to a local receiver: the payloads of CALLBACKS.md, in order per session,
 * retried with back-off after a failing receiver (on the emulator clock), never blocking the
 * REST response, signed when a secret is set, and stopped by close().
 */
import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenGenerator } from '../src/client/tokens.js';
import { callbackReceiver, control, rest, startEmulator, type RunningEmulator } from './support/emulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(options: Parameters<typeof startEmulator>[0] = {}) {
  const receiver = await callbackReceiver();
  const emu = await startEmulator({ callbackUrl: receiver.url, ...options });
  cleanup.push(() => receiver.close(), () => emu.close());
  const token = createTokenGenerator({ apiKey: emu.apiKey, apiSecret: emu.apiSecret });
  return { receiver, emu, ctl: control(emu), token };
}

/** Polls until `condition` holds (the emulator delivers on its own schedule). */
async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function routed(emu: RunningEmulator): Promise<string> {
  const r = await rest(emu, 'POST', '/session/create', 'p2p.preference=disabled', { 'content-type': 'application/x-www-form-urlencoded' });
  return r.json[0].session_id;
}

describe('callbacks', () => {
  it('session monitoring: session/connection/stream created and destroyed, with reasons, in order', async () => {
    const { receiver, emu, ctl, token } = await setup();
    const sessionId = await routed(emu);
    const conn = await ctl.connect(sessionId, token(sessionId, { data: 'user=42' }));
    const stream = await ctl.publish(sessionId, conn.connectionId, { name: 'Alice' });
    await rest(emu, 'DELETE', `{P}/session/${sessionId}/connection/${conn.connectionId}`);
    const got = await receiver.waitFor((r) => r.length >= 6);
    expect(got.map((r) => r.body.event)).toEqual([
      'sessionCreated', 'connectionCreated', 'streamCreated', 'streamDestroyed', 'connectionDestroyed', 'sessionDestroyed',
    ]);
    const [, created, streamCreated, streamDestroyed, destroyed] = got.map((r) => r.body);
    expect(created).toEqual({
      sessionId,
      projectId: emu.apiKey,
      event: 'connectionCreated',
      timestamp: expect.any(Number),
      connection: { id: conn.connectionId, createdAt: conn.createdAt, data: 'user=42' },
    });
    expect(streamCreated!.stream).toEqual({
      id: stream.streamId,
      connection: { id: conn.connectionId, createdAt: conn.createdAt, data: 'user=42' },
      createdAt: expect.any(Number),
      name: 'Alice',
      videoType: 'camera',
    });
    expect(streamDestroyed!.reason).toBe('forceDisconnected');
    expect(destroyed).toMatchObject({ event: 'connectionDestroyed', reason: 'forceDisconnected' });
    expect(got[0]!.headers['content-type']).toBe('application/json');
    expect(got[0]!.headers.authorization).toBeUndefined();
  });

  it('archive status changes: started, paused, stopped, available — with the union of fields', async () => {
    const { receiver, emu, ctl, token } = await setup();
    const sessionId = await routed(emu);
    const conn = await ctl.connect(sessionId, token(sessionId));
    await ctl.publish(sessionId, conn.connectionId, {});
    const archive = (await rest(emu, 'POST', '{P}/archive', { sessionId, name: 'Weekly' })).json;
    await rest(emu, 'POST', `{P}/archive/${archive.id}/stop`);
    await ctl.advance(2000);
    const got = await receiver.waitFor((r) => r.some((x) => x.body.event === 'archive' && x.body.status === 'available'));
    const archiveEvents = got.filter((r) => r.body.event === 'archive').map((r) => r.body);
    expect(archiveEvents.map((e) => e.status)).toEqual(['started', 'stopped', 'available']);
    const available = archiveEvents[2]!;
    expect(available).toMatchObject({
      id: archive.id, event: 'archive', name: 'Weekly', sessionId, reason: 'user initiated', outputMode: 'composed',
      projectId: Number(emu.apiKey), partnerId: Number(emu.apiKey), url: expect.any(String), size: expect.any(Number),
    });
    expect(available.createdAt % 1000).toBe(0); // rounded to the second, as documented
  });

  it('broadcast, render, captions and SIP events reach the receiver', async () => {
    const { receiver, emu, ctl, token } = await setup();
    const sessionId = await routed(emu);
    const conn = await ctl.connect(sessionId, token(sessionId));
    await ctl.publish(sessionId, conn.connectionId, {});
    const b = (await rest(emu, 'POST', '{P}/broadcast', { sessionId, outputs: { hls: {} } })).json;
    await ctl.advance(1500);
    await rest(emu, 'POST', `{P}/broadcast/${b.id}/stop`);
    const render = (await rest(emu, 'POST', '{P}/render', { sessionId, token: token(sessionId), url: 'https://example.com/render' })).json;
    await ctl.advance(1500);
    await rest(emu, 'DELETE', `{P}/render/${render.id}`);
    const cap = (await rest(emu, 'POST', '{P}/captions', { sessionId, token: token(sessionId) })).json;
    await rest(emu, 'POST', `{P}/captions/${cap.captionsId}/stop`);
    const sip = (await rest(emu, 'POST', '{P}/dial', { sessionId, token: token(sessionId), sip: { uri: 'sip:1@example.com' } })).json;
    await rest(emu, 'DELETE', `{P}/session/${sessionId}/connection/${sip.connectionId}`);
    const got = await receiver.waitFor((r) => r.some((x) => x.body.event === 'callDestroyed'));
    const events = got.map((r) => r.body);
    expect(events.filter((e) => e.event === 'broadcast').map((e) => [e.status, e.broadcastUrls?.hlsStatus])).toEqual([
      ['started', 'connecting'], ['started', 'live'], ['stopped', undefined],
    ]);
    expect(events.filter((e) => typeof e.event === 'string' && e.event.startsWith('render')).map((e) => e.status)).toEqual(['started', 'stopped']);
    expect(events.filter((e) => e.event === 'captions').map((e) => [e.captionsId, e.status])).toEqual([[cap.captionsId, 'started'], [cap.captionsId, 'stopped']]);
    const sipEvents = events.filter((e) => e.call?.id === sip.id);
    expect(sipEvents.map((e) => e.state ?? e.event)).toEqual(['callCreated', 'DIALING', 'RINGING', 'ACTIVE', 'HANGUP', 'callDestroyed']);
    expect(sipEvents.at(-1)).toMatchObject({ reason_code: '700', reason_message: 'Normal Clearing', call: { connectionId: sip.connectionId } });
  });

  it('a SIP leg dialled with observeForceMute hears about force-mutes (muteForced)', async () => {
    const { receiver, emu, ctl, token } = await setup();
    const sessionId = await routed(emu);
    await ctl.connect(sessionId, token(sessionId));
    const watching = (await rest(emu, 'POST', '{P}/dial', { sessionId, token: token(sessionId), sip: { uri: 'sip:1@example.com', observeForceMute: true } })).json;
    const deaf = (await rest(emu, 'POST', '{P}/dial', { sessionId, token: token(sessionId), sip: { uri: 'sip:2@example.com' } })).json;
    await rest(emu, 'POST', `{P}/session/${sessionId}/mute`, { active: true });
    const got = await receiver.waitFor((r) => r.some((x) => x.body.event === 'muteForced'));
    await new Promise((r) => setTimeout(r, 100));
    const muted = got.filter((x) => x.body.event === 'muteForced').map((x) => x.body.call.id);
    expect(muted).toEqual([watching.id]);
    expect(muted).not.toContain(deaf.id);
  });

  it('retries a failing receiver with back-off on the emulator clock, keeping per-session order', async () => {
    const { receiver, emu, ctl, token } = await setup();
    receiver.failNext(2);
    const sessionId = await routed(emu);
    const conn = await ctl.connect(sessionId, token(sessionId));
    await ctl.publish(sessionId, conn.connectionId, {});
    // First attempt fails at once; the retry waits 5 s of emulator time, the next one 10 s.
    await until(async () => (await ctl.callbackStats()).failedAttempts === 1);
    expect(receiver.received).toHaveLength(0);
    await ctl.advance(5000);
    await until(async () => (await ctl.callbackStats()).failedAttempts === 2);
    expect(receiver.received).toHaveLength(0);
    await ctl.advance(10_000);
    const got = await receiver.waitFor((r) => r.length >= 3);
    expect(got.map((r) => r.body.event)).toEqual(['sessionCreated', 'connectionCreated', 'streamCreated']);
    expect(await ctl.callbackStats()).toMatchObject({ delivered: 3, failedAttempts: 2, pending: 0 });
  });

  it('a failing event holds back only its own session: other sessions keep flowing', async () => {
    const { receiver, emu, ctl, token } = await setup();
    receiver.failNext(1);
    const a = await routed(emu);
    await ctl.connect(a, token(a));
    await until(async () => (await ctl.callbackStats()).failedAttempts === 1);
    const b = await routed(emu);
    await ctl.connect(b, token(b));
    await receiver.waitFor((r) => r.length >= 2);
    expect(receiver.received.map((r) => [r.body.sessionId, r.body.event])).toEqual([[b, 'sessionCreated'], [b, 'connectionCreated']]);
    await ctl.advance(5000);
    const got = await receiver.waitFor((r) => r.length >= 4);
    expect(got.slice(2).map((r) => [r.body.sessionId, r.body.event])).toEqual([[a, 'sessionCreated'], [a, 'connectionCreated']]);
  });

  it('never blocks the REST response on a slow receiver, and close() stops delivery', async () => {
    const { createServer } = await import('node:http');
    let hits = 0;
    const slow = createServer((_req, res) => {
      hits++;
      setTimeout(() => res.writeHead(200).end(), 2000);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => { slow.closeAllConnections(); slow.close(() => r()); }));
    const emu = await startEmulator({ callbackUrl: `http://127.0.0.1:${(slow.address() as any).port}/hook` });
    const token = createTokenGenerator({ apiKey: emu.apiKey, apiSecret: emu.apiSecret });
    const sessionId = await routed(emu);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await control(emu).connect(sessionId, token(sessionId));
    expect(Date.now() - started).toBeLessThan(1000);
    await until(() => hits === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(hits).toBe(1); // one in flight, the rest of the session's events wait their turn
    await emu.close();
    await new Promise((r) => setTimeout(r, 2200));
    expect(hits).toBe(1);
  });

  it('signs callbacks like the platform when a secret is configured', async () => {
    const { receiver, emu, ctl, token } = await setup({ callbackSecret: 'shh-its-a-secret' });
    const sessionId = await routed(emu);
    await ctl.connect(sessionId, token(sessionId));
    const [first] = await receiver.waitFor((r) => r.length >= 1);
    const jwt = String(first!.headers.authorization).replace(/^Bearer /, '');
    const [h, p, s] = jwt.split('.') as [string, string, string];
    expect(createHmac('sha256', 'shh-its-a-secret').update(`${h}.${p}`).digest('base64url')).toBe(s);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(claims).toMatchObject({ iss: 'Vonage', api_key: emu.apiKey, payload_hash: createHash('sha256').update(first!.raw).digest('hex') });
  });

  it('render and captions status also go to the statusCallbackUrl of their start request', async () => {
    const { receiver: main, emu, ctl, token } = await setup();
    const own = await callbackReceiver();
    cleanup.push(() => own.close());
    const sessionId = await routed(emu);
    await ctl.connect(sessionId, token(sessionId));
    const cap = (await rest(emu, 'POST', '{P}/captions', { sessionId, token: token(sessionId), statusCallbackUrl: own.url })).json;
    await rest(emu, 'POST', `{P}/captions/${cap.captionsId}/stop`);
    const got = await own.waitFor((r) => r.length >= 2);
    expect(got.map((r) => [r.body.event, r.body.status])).toEqual([['captions', 'started'], ['captions', 'stopped']]);
    await main.waitFor((r) => r.filter((x) => x.body.event === 'captions').length === 2);
  });

  it('setCallbackUrl switches the target at run time, and null turns callbacks off', async () => {
    const { receiver, emu, ctl, token } = await setup();
    emu.setCallbackUrl(null);
    const sessionId = await routed(emu);
    await ctl.connect(sessionId, token(sessionId));
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(0);
    emu.setCallbackUrl(receiver.url);
    await ctl.connect(sessionId, token(sessionId));
    const got = await receiver.waitFor((r) => r.length >= 1);
    expect(got[0]!.body.event).toBe('connectionCreated');
  });
});
