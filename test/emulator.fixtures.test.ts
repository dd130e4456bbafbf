/**
 * Fixture replay: every HTTP exchange recorded from the three SDK suites
 * (`../shared/opentok/fixtures/**`, see its INDEX.md) is replayed against the emulator after
 * setting up the state the recording presumes (a routed session with a client and streams,
 * an archive in the recorded status, a failing server for a recorded 5xx, missing credentials
 * for a recorded 403 …). The project segment and auth are replaced, placeholders (SESSIONID,
 * STREAMID, tokens …) are mapped to live ids, then status and response shape are compared.
 *
 * Shape = the recorded body's structure: every recorded key present with a compatible JSON
 * type (null is compatible with anything; ids may be number or string), arrays compared by
 * their first element, XML by its element names, empty bodies with empty bodies. Recordings
 * INDEX.md flags as hand-edited (2xx status with an error body) are compared on status only.
 * Mock error statuses that nothing in the request can cause (a 400 for a valid request) are
 * replayed as is and count as disagreements: the rate is reported honestly.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenGenerator } from '../src/client/tokens.js';
import { control, projectJwt, rest, startEmulator, type RunningEmulator } from './support/emulator.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = resolve(here, '../../shared/opentok/fixtures');
/** The agreement the emulator must keep (measured: see the printed report). */
const MIN_AGREEMENT = 0.85;

interface Exchange {
  request: { method: string; uri: string; headers: Record<string, string>; body: string | null };
  response: { status: number; headers: Record<string, string>; body: string | null };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Files INDEX.md flags as hand-edited: trust their request side only. */
function handEdited(): Set<string> {
  const index = readFileSync(join(FIXTURES, 'INDEX.md'), 'utf8');
  const out = new Set<string>();
  for (const line of index.split('\n')) {
    const m = /^\| `([^`]+)` \|.*hand-edited/.exec(line);
    if (m) out.add(m[1]!);
  }
  return out;
}

const OPS: Array<[string, RegExp, string]> = [
  ['POST', /^\/session\/create$/, 'session.create'],
  ['POST', /^\/archive$/, 'archive.start'],
  ['GET', /^\/archive$/, 'archive.list'],
  ['GET', /^\/archive\/[^/]+$/, 'archive.get'],
  ['DELETE', /^\/archive\/[^/]+$/, 'archive.delete'],
  ['POST', /^\/archive\/[^/]+\/stop$/, 'archive.stop'],
  ['PUT', /^\/archive\/[^/]+\/layout$/, 'archive.layout'],
  ['PATCH', /^\/archive\/[^/]+\/streams$/, 'archive.streams'],
  ['POST', /^\/broadcast$/, 'broadcast.start'],
  ['GET', /^\/broadcast$/, 'broadcast.list'],
  ['GET', /^\/broadcast\/[^/]+$/, 'broadcast.get'],
  ['POST', /^\/broadcast\/[^/]+\/stop$/, 'broadcast.stop'],
  ['PUT', /^\/broadcast\/[^/]+\/layout$/, 'broadcast.layout'],
  ['PATCH', /^\/broadcast\/[^/]+\/streams$/, 'broadcast.streams'],
  ['GET', /^\/session\/[^/]+\/stream\/[^/]+$/, 'stream.get'],
  ['GET', /^\/session\/[^/]+\/stream$/, 'stream.list'],
  ['PUT', /^\/session\/[^/]+\/stream$/, 'stream.setLayoutClassLists'],
  ['POST', /^\/session\/[^/]+\/stream\/[^/]+\/mute$/, 'moderation.muteStream'],
  ['POST', /^\/session\/[^/]+\/mute$/, 'moderation.muteAll'],
  ['DELETE', /^\/session\/[^/]+\/connection\/[^/]+$/, 'connection.forceDisconnect'],
  ['POST', /^\/session\/[^/]+\/signal$/, 'signal.session'],
  ['POST', /^\/session\/[^/]+\/connection\/[^/]+\/signal$/, 'signal.connection'],
  ['POST', /^\/session\/[^/]+\/play-dtmf$/, 'sip.playDtmf.session'],
  ['POST', /^\/session\/[^/]+\/connection\/[^/]+\/play-dtmf$/, 'sip.playDtmf.connection'],
  ['POST', /^\/dial$/, 'sip.dial'],
  ['POST', /^\/connect$/, 'audioConnector.websocketConnect'],
  ['POST', /^\/connect\/[^/]+\/stop$/, 'audioConnector.websocketStop'],
  ['POST', /^\/render$/, 'render.start'],
  ['GET', /^\/render$/, 'render.list'],
  ['GET', /^\/render\/[^/]+$/, 'render.get'],
  ['DELETE', /^\/render\/[^/]+$/, 'render.stop'],
  ['POST', /^\/captions$/, 'captions.start'],
  ['POST', /^\/captions\/[^/]+\/stop$/, 'captions.stop'],
  ['GET', /^\/captions\/[^/]+$/, 'captions.get'],
  ['POST', /^\/callback$/, 'callback.register'],
  ['GET', /^\/callback$/, 'callback.list'],
  ['DELETE', /^\/callback\/[^/]+$/, 'callback.unregister'],
];

// ---------------------------------------------------------------------------
// Shape comparison

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const ID_LIKE = new Set(['projectId', 'partnerId', 'applicationId', 'project_id', 'partner_id']);
/** Keys the SDK tests add on purpose to check that clients tolerate unknown fields. */
const FAKE_KEYS = new Set(['notarealproperty']);

function kind(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function shapeDiff(recorded: Json, ours: Json, path: string, out: string[]): void {
  const rk = kind(recorded);
  const ok = kind(ours);
  if (rk === 'null' || ok === 'null') return;
  if (rk !== ok) {
    const key = path.split('.').pop() ?? '';
    if (ID_LIKE.has(key) && (rk === 'string' || rk === 'number') && (ok === 'string' || ok === 'number')) return;
    out.push(`${path}: recorded ${rk}, emulator ${ok}`);
    return;
  }
  if (rk === 'array') {
    const r = recorded as Json[];
    const o = ours as Json[];
    if (r.length > 0 && o.length === 0) out.push(`${path}: recorded a non-empty array, emulator an empty one`);
    else if (r.length > 0) shapeDiff(r[0]!, o[0]!, `${path}[0]`, out);
    return;
  }
  if (rk === 'object') {
    const r = recorded as Record<string, Json>;
    const o = ours as Record<string, Json>;
    for (const key of Object.keys(r)) {
      if (FAKE_KEYS.has(key)) continue;
      if (!(key in o)) out.push(`${path}.${key}: missing`);
      else shapeDiff(r[key]!, o[key]!, `${path}.${key}`, out);
    }
  }
}

function bodyKind(text: string | null): 'empty' | 'json' | 'xml' | 'text' {
  if (text === null || text.trim() === '') return 'empty';
  const t = text.trim();
  if (t.startsWith('<')) return 'xml';
  try {
    JSON.parse(t);
    return 'json';
  } catch {
    return 'text';
  }
}

function xmlTags(text: string): string[] {
  return [...text.matchAll(/<([A-Za-z_][\w]*)>/g)].map((m) => m[1]!);
}

function compareShape(status: number, recorded: string | null, ours: string): string[] {
  const rk = bodyKind(recorded);
  // A 204 carries no body by definition (some mocks attach one anyway); a mock error reply
  // without a body says nothing about the body the platform sends.
  if (status === 204 || (status >= 400 && rk === 'empty')) return [];
  const ok = bodyKind(ours);
  if (rk !== ok) return [`body: recorded ${rk}, emulator ${ok}`];
  if (rk === 'json') {
    const out: string[] = [];
    shapeDiff(JSON.parse(recorded!), JSON.parse(ours), '$', out);
    return out;
  }
  if (rk === 'xml') {
    const r = xmlTags(recorded!).join('>');
    const o = xmlTags(ours).join('>');
    return r === o ? [] : [`xml: recorded ${r}, emulator ${o}`];
  }
  return [];
}

// ---------------------------------------------------------------------------
// Replay

interface Result {
  file: string;
  op: string;
  recorded: number;
  ours: number;
  trust: 'full' | 'status-only';
  diffs: string[];
}

let emu: RunningEmulator;
let ctl: ReturnType<typeof control>;
let token: ReturnType<typeof createTokenGenerator>;
const results: Result[] = [];

beforeAll(async () => {
  emu = await startEmulator();
  ctl = control(emu);
  token = createTokenGenerator({ apiKey: emu.apiKey, apiSecret: emu.apiSecret });
});
afterAll(() => emu.close());

async function newSession(mode: 'routed' | 'relayed' = 'routed'): Promise<string> {
  const r = await rest(emu, 'POST', '/session/create', `p2p.preference=${mode === 'routed' ? 'disabled' : 'enabled'}`, {
    'content-type': 'application/x-www-form-urlencoded',
  });
  return r.json[0].session_id;
}

async function must(method: string, path: string, body?: unknown): Promise<any> {
  const r = await rest(emu, method, path, body);
  if (r.status >= 300) throw new Error(`setup ${method} ${path} → ${r.status} ${r.text}`);
  return r.json;
}

interface World {
  sessionId: string;
  connectionId: string;
  streams: string[];
}

async function world(publish = true): Promise<World> {
  const sessionId = await newSession();
  const conn = await ctl.connect(sessionId, token(sessionId, { role: 'moderator' }));
  const streams: string[] = [];
  if (publish) {
    for (const name of ['one', 'two']) streams.push((await ctl.publish(sessionId, conn.connectionId, { name })).streamId);
  }
  return { sessionId, connectionId: conn.connectionId, streams };
}

/** Maps recorded placeholder values to live ids, in order of first appearance. */
class Mapper {
  private readonly map = new Map<string, string>();
  constructor(private readonly pool: string[]) {}
  get(value: string): string {
    let v = this.map.get(value);
    if (v === undefined) {
      v = this.pool[this.map.size % Math.max(this.pool.length, 1)] ?? value;
      this.map.set(value, v);
    }
    return v;
  }
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

async function replay(file: string, ex: Exchange, trust: Result['trust']): Promise<Result> {
  await ctl.reset();
  const url = new URL(ex.request.uri);
  const projectMatch = /^\/v2\/project\/[^/]+(\/.*)?$/.exec(url.pathname);
  const rel = projectMatch ? projectMatch[1] ?? '' : url.pathname;
  const method = ex.request.method;
  const op = OPS.find(([m, re]) => m === method && re.test(rel))?.[2] ?? 'unknown';
  const status = ex.response.status;
  const recordedBody = ex.response.body;
  const bodyText = ex.request.body ?? '';
  const isForm = op === 'session.create';
  let body: any = undefined;
  if (!isForm && bodyText.trim() !== '') body = JSON.parse(bodyText);

  // The state the recording presumes.
  const needsStreams = !['archive.get'].includes(op) || !recordedBody?.includes('"paused"');
  const w = await world(needsStreams);
  const streamIds = new Mapper(w.streams);
  const seg = rel.split('/');
  let entityId: string | undefined;
  let connectionId: string | undefined = w.connectionId;
  const recordedStatus = (() => {
    try {
      return recordedBody ? (JSON.parse(recordedBody).status as string | undefined) : undefined;
    } catch {
      return undefined;
    }
  })();
  const P = '{P}';
  const startArchive = async (extra: Record<string, unknown> = {}): Promise<string> =>
    (await must('POST', `${P}/archive`, { sessionId: w.sessionId, ...extra })).id;
  // The recorded archive's options, so a GET can return the same optional fields.
  const recordedOptions = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    try {
      const r = JSON.parse(recordedBody ?? '{}');
      for (const key of ['outputMode', 'streamMode', 'hasAudio', 'hasVideo', 'hasTranscription']) if (r[key] !== undefined) out[key] = r[key];
      if (typeof r.maxBitrate === 'number' && r.maxBitrate >= 100_000) out.maxBitrate = r.maxBitrate;
      if (typeof r.quantizationParameter === 'number') out.quantizationParameter = r.quantizationParameter;
    } catch {
      // Not JSON: no options.
    }
    return out;
  };
  const rtmp = [{ id: 'target', serverUrl: 'rtmp://live.example.com/app', streamName: 'name' }];
  const startBroadcast = async (extra: Record<string, unknown> = {}): Promise<string> =>
    (await must('POST', `${P}/broadcast`, { sessionId: w.sessionId, outputs: { hls: {}, ...(recordedBody?.includes('"rtmp"') ? { rtmp } : {}) }, ...extra })).id;
  // Lists with offsets need more records than a page.
  const LIST_SIZE = 6;
  // A recorded 404 on a session-level call presumes a session that does not exist.
  let sessionTarget = w.sessionId;
  if (status === 404 && ['signal.session', 'stream.list', 'stream.get', 'moderation.muteAll', 'sip.playDtmf.session', 'stream.setLayoutClassLists'].includes(op)) {
    sessionTarget = `1_${Buffer.from(`1~${emu.apiKey}~~${new Date().toUTCString()}~0.5~`).toString('base64url')}`;
  }
  if (op === 'stream.get' || op === 'stream.list') {
    await must('PUT', `${P}/session/${w.sessionId}/stream`, { items: w.streams.map((id) => ({ id, layoutClassList: ['full', 'focus'] })) });
  }
  const found = status !== 404;

  switch (op) {
    case 'archive.get': {
      if (!found) break;
      entityId = await startArchive(recordedOptions());
      if (recordedStatus === 'available' || recordedStatus === 'expired' || recordedStatus === 'stopped') {
        await ctl.advance(5000);
        await must('POST', `${P}/archive/${entityId}/stop`);
        if (recordedStatus !== 'stopped') await ctl.advance(recordedStatus === 'expired' ? 73 * 3600_000 : 2000);
      }
      break;
    }
    case 'archive.stop':
      if (!found) break;
      entityId = await startArchive();
      if (status === 409) await must('POST', `${P}/archive/${entityId}/stop`);
      break;
    case 'archive.delete':
      if (!found) break;
      entityId = await startArchive();
      await must('POST', `${P}/archive/${entityId}/stop`);
      await ctl.advance(2000);
      break;
    case 'archive.layout':
      entityId = await startArchive();
      break;
    case 'archive.streams':
      entityId = await startArchive({ streamMode: 'manual' });
      if (body?.removeStream) await must('PATCH', `${P}/archive/${entityId}/streams`, { addStream: streamIds.get(body.removeStream) });
      break;
    case 'archive.list':
      for (let i = 0; i < LIST_SIZE; i++) await must('POST', `${P}/archive/${await startArchive()}/stop`);
      break;
    case 'broadcast.get':
    case 'broadcast.stop':
    case 'broadcast.layout':
    case 'broadcast.streams': {
      if (!found) break;
      entityId = await startBroadcast({ streamMode: op === 'broadcast.streams' ? 'manual' : 'auto' });
      if (body?.removeStream) await must('PATCH', `${P}/broadcast/${entityId}/streams`, { addStream: streamIds.get(body.removeStream) });
      break;
    }
    case 'broadcast.list':
      for (let i = 0; i < LIST_SIZE; i++) await startBroadcast({ multiBroadcastTag: `tag-${i}` });
      break;
    case 'render.get':
    case 'render.stop':
      entityId = (await must('POST', `${P}/render`, { sessionId: w.sessionId, token: token(w.sessionId), url: 'https://example.com/render-page' })).id;
      if (recordedStatus === 'started') await ctl.advance(1500);
      break;
    case 'render.list':
      for (let i = 0; i < LIST_SIZE; i++) {
        const render = await must('POST', `${P}/render`, { sessionId: w.sessionId, token: token(w.sessionId), url: 'https://example.com/render-page' });
        // The older half has finished (the recorded pages mix stopped and running renders).
        if (i < LIST_SIZE / 2) await must('DELETE', `${P}/render/${render.id}`);
      }
      break;
    case 'captions.stop':
    case 'captions.get':
      if (!found) break;
      entityId = (await must('POST', `${P}/captions`, { sessionId: w.sessionId, token: token(w.sessionId) })).captionsId;
      break;
    case 'captions.start':
      if (status === 409) await must('POST', `${P}/captions`, { sessionId: w.sessionId, token: token(w.sessionId) });
      break;
    case 'callback.unregister':
    case 'callback.list':
      entityId = (await must('POST', `${P}/callback`, { group: 'connection', event: 'created', url: 'https://example.com/cb' })).id;
      break;
    case 'audioConnector.websocketStop':
      entityId = (await must('POST', `${P}/connect`, { sessionId: w.sessionId, token: token(w.sessionId), websocket: { uri: 'wss://example.com/ws' } })).id;
      break;
    case 'sip.playDtmf.connection':
      connectionId = (await must('POST', `${P}/dial`, { sessionId: w.sessionId, token: token(w.sessionId), sip: { uri: 'sip:100@sip.example.com' } })).connectionId;
      break;
    case 'signal.connection':
    case 'connection.forceDisconnect':
      if (!found) connectionId = UNKNOWN;
      break;
    default:
  }

  // Rewrite the request: project segment, ids, tokens.
  let path = url.pathname;
  let query = url.search;
  if (projectMatch) {
    const parts = rel.split('/');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const prev = parts[i - 1];
      if (prev === 'session' && i === 2) out.push(sessionTarget);
      else if (prev === 'stream' && i === 4) out.push(streamIds.get(p));
      else if (prev === 'connection') out.push(connectionId ?? p);
      else if (i === 2 && ['archive', 'broadcast', 'render', 'captions', 'callback', 'connect'].includes(seg[1]!)) out.push(entityId ?? p);
      else out.push(p);
    }
    path = `/v2/project/${emu.apiKey}${out.join('/')}`;
  }
  if (query.includes('sessionId=')) {
    const q = new URLSearchParams(query);
    q.set('sessionId', w.sessionId);
    query = `?${q.toString()}`;
  }
  if (body && typeof body === 'object') {
    if (typeof body.sessionId === 'string') {
      // A recorded 404 for archive start presumes a session that does not exist (or has no clients).
      if (!(op === 'archive.start' && status === 404)) body.sessionId = w.sessionId;
      else if (body.sessionId !== 'invalidSessionIDIam') body.sessionId = await newSession();
    }
    if (typeof body.token === 'string' && status !== 400) body.token = token(w.sessionId, { role: 'moderator' });
    for (const key of ['addStream', 'removeStream']) if (typeof body[key] === 'string') body[key] = streamIds.get(body[key]);
    for (const key of ['excludedStreams', 'excludedStreamIds']) if (Array.isArray(body[key])) body[key] = body[key].map((s: string) => streamIds.get(s));
    if (Array.isArray(body.items)) for (const item of body.items) if (typeof item.id === 'string') item.id = streamIds.get(item.id);
    if (Array.isArray(body.sip?.streams)) body.sip.streams = body.sip.streams.map((s: string) => streamIds.get(s));
    if (Array.isArray(body.websocket?.streams)) body.websocket.streams = body.websocket.streams.map((s: string) => streamIds.get(s));
  }

  // A recorded 5xx presumes a failing server; a recorded 403 presumes bad credentials.
  if (status >= 500) await ctl.fault({ operation: op, status, count: 1 });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ex.request.headers)) if (k === 'accept' || k === 'content-type' || k === 'user-agent') headers[k] = v;
  headers.accept ??= '';
  headers['x-opentok-auth'] = status === 403 ? '' : projectJwt(emu);
  const sent = isForm ? bodyText : body === undefined ? (bodyText === '' ? undefined : bodyText) : JSON.stringify(body);
  const response = await fetch(emu.url + path + query, {
    method,
    headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== '')),
    body: sent,
  });
  const text = await response.text();
  const diffs: string[] = [];
  if (response.status !== status) diffs.push(`status: recorded ${status}, emulator ${response.status} ${text.slice(0, 120)}`);
  if (trust === 'full' && response.status === status) diffs.push(...compareShape(status, recordedBody, text));
  return { file, op, recorded: status, ours: response.status, trust, diffs };
}

describe.runIf(existsSync(FIXTURES))('fixture replay', () => {
  it('replays every recorded exchange and agrees with the trustworthy recordings', async () => {
    const edited = handEdited();
    for (const file of walk(FIXTURES)) {
      const name = relative(FIXTURES, file);
      const exchanges = JSON.parse(readFileSync(file, 'utf8')) as Exchange[];
      for (const ex of exchanges) {
        const trust = edited.has(name) ? 'status-only' : 'full';
        try {
          results.push(await replay(name, ex, trust));
        } catch (error) {
          results.push({ file: name, op: '?', recorded: ex.response.status, ours: 0, trust, diffs: [`setup failed: ${(error as Error).message}`] });
        }
      }
    }
    const agreed = results.filter((r) => r.diffs.length === 0);
    const rate = agreed.length / results.length;
    const lines = results
      .filter((r) => r.diffs.length > 0)
      .map((r) => `  ✗ ${r.file} [${r.op}] ${r.diffs.join('; ')}`);
    const statusAgreed = results.filter((r) => r.recorded === r.ours).length;
    const ruby = results.filter((r) => r.file.startsWith('ruby/'));
    const rubyAgreed = ruby.filter((r) => r.diffs.length === 0).length;
    console.log(
      `\nFixture replay: ${agreed.length}/${results.length} exchanges agree (${(rate * 100).toFixed(1)} %); ` +
        `status agrees on ${statusAgreed}/${results.length}; ${results.filter((r) => r.trust === 'status-only').length} hand-edited compared on status only.\n` +
        `Recordings of the real server (ruby/): ${rubyAgreed}/${ruby.length}; SDK mocks (node/, vonage-video/): ${agreed.length - rubyAgreed}/${results.length - ruby.length}.\n` +
        `Disagreements:\n${lines.join('\n')}\n`,
    );
    expect(results.length).toBeGreaterThan(150);
    expect(rate).toBeGreaterThanOrEqual(MIN_AGREEMENT);
  }, 120_000);
});
