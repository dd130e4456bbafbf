/**
 * Conformance of the client against every exchange recorded from the official SDKs' test suites
 * (../shared/opentok/fixtures). Each recorded response is served from a real local socket; the
 * matching client function is driven with the arguments the recorded request implies; then the
 * request our client sent is compared with the recording (method, path, query as a set, JSON
 * body field order aside, form fields as a set) and the recorded response must parse into the
 * typed result, or raise the typed error with the recorded status.
 *
 * Where a recording carries an SDK quirk we deliberately do not reproduce, the expected request
 * is the canonical form and the quirk is named in QUIRKS below:
 *  - Ruby sends string booleans (`"active":"true"`, `"secure":"true"`), snake_case nested keys
 *    (`screenshare_type`) and `excludedStreams`; we send real booleans, camelCase, `excludedStreamIds`.
 *  - Node sends a `{}` body on bodiless POSTs (stop archive/broadcast, mute stream); we send none.
 *  - The Vonage SDK sends `"partialCaptions":"true"`, `location=null`, and `excludedStreamIds: []`
 *    with `active:false` (which the API ignores); we send a boolean, no location, and no list.
 *  - Ruby and the Vonage SDK omit `archiveMode`; we always send it (`manual` by default).
 * A few recordings use inputs the API documents as invalid; our client refuses them before any
 * request (REJECTED_BY_VALIDATION), which this suite asserts instead.
 */
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOpenTokClient,
  OpenTokAuthError,
  OpenTokConflictError,
  OpenTokInvalidRequestError,
  OpenTokNotFoundError,
  OpenTokUnavailableError,
  OpenTokValidationError,
  verifyToken,
  type OpenTokClient,
} from '../src/client/index.js';
import { startFixtureServer, type FixtureServer, type RecordedRequest } from './support/fixture-server.js';
import { loadFixtures, type FixtureFile, type RecordedExchange } from './support/fixtures.js';

const API_KEY = '123456';
const API_SECRET = 'conformance-secret-0123456789abcdef';
const APPLICATION_ID = '0b5c5e4a-1f2d-4e6b-9a51-7c3f4d2e1a90';
const { privateKey: PRIVATE_KEY, publicKey: PUBLIC_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** Recordings whose input breaks a documented rule: the client must refuse them (field named) and send nothing. */
const REJECTED_BY_VALIDATION: Record<string, { field: string; why: string }> = {
  'vonage-video/video_can_create_an_archive_with_a_maxBitrate.json': { field: 'maxBitrate', why: 'maxBitrate 9000 is below the documented 100 000 minimum' },
  'node/archiving/Archive_Tests_patchArchive_should_properly_set_flags_to_false_for_options.json': {
    field: 'hasVideo',
    why: 'hasAudio and hasVideo both false is an error per API.md §5.2.7',
  },
  'node/captions/Captions_start_Captions_Starts_Captions_with_options.json': { field: 'maxDuration', why: 'captions maxDuration 42 is outside 300–14400' },
};

/** Every client operation, and the ones proven by their own tests instead of a fixture. */
const ALL_OPERATIONS = [
  'createSession', 'generateToken',
  'startArchive', 'getArchive', 'listArchives', 'iterateArchives', 'stopArchive', 'deleteArchive', 'setArchiveLayout', 'addArchiveStream', 'removeArchiveStream',
  'startBroadcast', 'getBroadcast', 'listBroadcasts', 'iterateBroadcasts', 'stopBroadcast', 'setBroadcastLayout', 'addBroadcastStream', 'removeBroadcastStream',
  'getStream', 'listStreams', 'setStreamLayoutClasses',
  'forceDisconnect', 'muteStream', 'muteAllStreams', 'disableForceMute',
  'sendSignal', 'dialSip', 'playDtmf', 'connectAudioStream', 'stopAudioStream',
  'startRender', 'getRender', 'listRenders', 'iterateRenders', 'stopRender',
  'startCaptions', 'stopCaptions', 'getCaptions',
  'registerCallback', 'listCallbacks', 'unregisterCallback',
] as const;
const COVERED_ELSEWHERE: Record<string, string> = {
  generateToken: 'test/client.tokens.test.ts',
  iterateArchives: 'test/client.http.test.ts (paging)',
  iterateBroadcasts: 'test/client.http.test.ts (paging)',
  iterateRenders: 'test/client.http.test.ts (paging)',
};

type Json = unknown;
type ExpectedBody = { kind: 'json'; value: Json } | { kind: 'form'; fields: Record<string, string> } | { kind: 'none' };

interface Plan {
  operation: (typeof ALL_OPERATIONS)[number];
  invoke: (client: OpenTokClient) => Promise<unknown>;
  body: ExpectedBody;
  quirks: string[];
}

// ---------------------------------------------------------------------------
// From a recorded request to the call that should produce it

const BOOLEAN_KEYS = new Set(['active', 'secure', 'video', 'observeForceMute', 'partialCaptions', 'hasAudio', 'hasVideo', 'dvr', 'lowLatency', 'bidirectional', 'hasTranscription', 'hasSummary']);
const RENAMED_KEYS: Record<string, string> = { screenshare_type: 'screenshareType', low_latency: 'lowLatency', excludedStreams: 'excludedStreamIds' };

/** The canonical form of a recorded JSON body, and the SDK quirks that had to be undone. */
function canonicalJson(value: Json, quirks: string[], key = ''): Json {
  if (Array.isArray(value)) return value.map((item) => canonicalJson(item, quirks));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      // audioTransport keys are snake_case on the real wire; only the known SDK misspellings are renamed.
      const renamed = RENAMED_KEYS[k];
      if (renamed !== undefined) quirks.push(`${k} → ${renamed}`);
      out[renamed ?? k] = canonicalJson(v, quirks, renamed ?? k);
    }
    return out;
  }
  if (BOOLEAN_KEYS.has(key) && (value === 'true' || value === 'false')) {
    quirks.push(`string boolean ${key}:"${value}"`);
    return value === 'true';
  }
  return value;
}

const obj = (value: Json): Record<string, Json> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : {});
const without = (record: Record<string, Json>, ...keys: string[]): Record<string, Json> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
const num = (query: URLSearchParams, key: string): number | undefined => (query.has(key) ? Number(query.get(key)) : undefined);

function plan(file: FixtureFile, exchange: RecordedExchange): Plan {
  const { method } = exchange.request;
  const url = new URL(exchange.request.uri);
  const raw = exchange.request.body ?? '';
  const quirks: string[] = [];
  const recordedJson: Json = raw.trim().startsWith('{') || raw.trim().startsWith('[') ? JSON.parse(raw) : undefined;
  const json = canonicalJson(recordedJson, quirks);
  const body = obj(json);
  const asJson: ExpectedBody = { kind: 'json', value: json };
  const none = (): ExpectedBody => {
    if (raw.trim() === '{}') quirks.push('Node sends {} on a bodiless POST; we send no body');
    return { kind: 'none' };
  };

  if (url.pathname === '/session/create') {
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (form.location === 'null') {
      quirks.push('Vonage SDK sends location=null');
      delete form.location;
    }
    if (form.archiveMode === undefined) {
      quirks.push('archiveMode omitted; we always send it (manual)');
      form.archiveMode = 'manual';
    }
    const options = {
      mediaMode: form['p2p.preference'] === 'enabled' ? ('relayed' as const) : ('routed' as const),
      archiveMode: form.archiveMode as 'manual' | 'always',
      ...(form.archiveName !== undefined ? { archiveName: form.archiveName } : {}),
      ...(form.archiveResolution !== undefined ? { archiveResolution: form.archiveResolution as '720x1280' } : {}),
      ...(form.location !== undefined ? { location: form.location } : {}),
      ...(form.e2ee !== undefined ? { e2ee: form.e2ee === 'true' } : {}),
    };
    return { operation: 'createSession', invoke: (c) => c.createSession(options), body: { kind: 'form', fields: form }, quirks };
  }

  const match = /^\/v2\/project\/[^/]+\/(.*?)\/?$/.exec(url.pathname);
  if (!match) throw new Error(`unclassified path ${url.pathname}`);
  const parts = (match[1] ?? '').split('/').map(decodeURIComponent);
  const [area, a, b, c, d] = parts;
  const route = `${method} ${parts.map((p, i) => (i % 2 === 1 ? ':' : p)).join('/')}`;
  const q = url.searchParams;
  const listOptions = {
    ...(q.has('offset') ? { offset: num(q, 'offset') } : {}),
    ...(q.has('count') ? { count: num(q, 'count') } : {}),
    ...(q.has('sessionId') ? { sessionId: q.get('sessionId') ?? '' } : {}),
  };
  const streamSelection = without(body, 'addStream') as { hasAudio?: boolean; hasVideo?: boolean };

  switch (route) {
    case 'POST archive':
      return { operation: 'startArchive', invoke: (cl) => cl.startArchive(String(body.sessionId), without(body, 'sessionId')), body: asJson, quirks };
    case 'GET archive':
      return { operation: 'listArchives', invoke: (cl) => cl.listArchives(listOptions), body: { kind: 'none' }, quirks };
    case 'GET archive/:':
      return { operation: 'getArchive', invoke: (cl) => cl.getArchive(a!), body: { kind: 'none' }, quirks };
    case 'POST archive/:/stop':
      return { operation: 'stopArchive', invoke: (cl) => cl.stopArchive(a!), body: none(), quirks };
    case 'DELETE archive/:':
      return { operation: 'deleteArchive', invoke: (cl) => cl.deleteArchive(a!), body: { kind: 'none' }, quirks };
    case 'PUT archive/:/layout':
      return { operation: 'setArchiveLayout', invoke: (cl) => cl.setArchiveLayout(a!, body as never), body: asJson, quirks };
    case 'PATCH archive/:/streams':
      return body.removeStream !== undefined
        ? { operation: 'removeArchiveStream', invoke: (cl) => cl.removeArchiveStream(a!, String(body.removeStream)), body: asJson, quirks }
        : { operation: 'addArchiveStream', invoke: (cl) => cl.addArchiveStream(a!, String(body.addStream), streamSelection), body: asJson, quirks };
    case 'POST broadcast':
      return { operation: 'startBroadcast', invoke: (cl) => cl.startBroadcast(String(body.sessionId), without(body, 'sessionId') as never), body: asJson, quirks };
    case 'GET broadcast':
      return { operation: 'listBroadcasts', invoke: (cl) => cl.listBroadcasts(listOptions), body: { kind: 'none' }, quirks };
    case 'GET broadcast/:':
      return { operation: 'getBroadcast', invoke: (cl) => cl.getBroadcast(a!), body: { kind: 'none' }, quirks };
    case 'POST broadcast/:/stop':
      return { operation: 'stopBroadcast', invoke: (cl) => cl.stopBroadcast(a!), body: none(), quirks };
    case 'PUT broadcast/:/layout':
      return { operation: 'setBroadcastLayout', invoke: (cl) => cl.setBroadcastLayout(a!, body as never), body: asJson, quirks };
    case 'PATCH broadcast/:/streams':
      return body.removeStream !== undefined
        ? { operation: 'removeBroadcastStream', invoke: (cl) => cl.removeBroadcastStream(a!, String(body.removeStream)), body: asJson, quirks }
        : { operation: 'addBroadcastStream', invoke: (cl) => cl.addBroadcastStream(a!, String(body.addStream), streamSelection), body: asJson, quirks };
    case 'GET session/:/stream':
      return { operation: 'listStreams', invoke: (cl) => cl.listStreams(a!), body: { kind: 'none' }, quirks };
    case 'GET session/:/stream/:':
      return { operation: 'getStream', invoke: (cl) => cl.getStream(a!, c!), body: { kind: 'none' }, quirks };
    case 'PUT session/:/stream':
      return { operation: 'setStreamLayoutClasses', invoke: (cl) => cl.setStreamLayoutClasses(a!, body.items as never), body: asJson, quirks };
    case 'DELETE session/:/connection/:':
      return { operation: 'forceDisconnect', invoke: (cl) => cl.forceDisconnect(a!, c!), body: { kind: 'none' }, quirks };
    case 'POST session/:/stream/:/mute':
      return { operation: 'muteStream', invoke: (cl) => cl.muteStream(a!, c!), body: none(), quirks };
    case 'POST session/:/mute': {
      if (body.active === false) {
        if (body.excludedStreamIds !== undefined) quirks.push('excludedStreamIds with active:false (ignored by the API); we send none');
        return { operation: 'disableForceMute', invoke: (cl) => cl.disableForceMute(a!), body: { kind: 'json', value: { active: false } }, quirks };
      }
      const excluded = body.excludedStreamIds as string[] | undefined;
      return { operation: 'muteAllStreams', invoke: (cl) => cl.muteAllStreams(a!, excluded ? { excludedStreamIds: excluded } : {}), body: asJson, quirks };
    }
    case 'POST session/:/signal':
    case 'POST session/:/connection/:/signal': {
      const signal = { ...(body as { type?: string; data: string }), ...(b === 'connection' ? { connectionId: c! } : {}) };
      return { operation: 'sendSignal', invoke: (cl) => cl.sendSignal(a!, signal), body: asJson, quirks };
    }
    case 'POST dial':
      return { operation: 'dialSip', invoke: (cl) => cl.dialSip(String(body.sessionId), String(body.token), obj(body.sip) as never), body: asJson, quirks };
    case 'POST session/:/play-dtmf':
    case 'POST session/:/connection/:/play-dtmf':
      return {
        operation: 'playDtmf',
        invoke: (cl) => cl.playDtmf(a!, String(body.digits), b === 'connection' ? { connectionId: c! } : {}),
        body: asJson,
        quirks,
      };
    case 'POST connect': {
      const ws = obj(body.websocket);
      const t = ws.audioTransport === undefined ? undefined : obj(ws.audioTransport);
      const options = {
        ...without(ws, 'audioTransport'),
        ...(t === undefined
          ? {}
          : {
              audioTransport: Object.fromEntries(
                Object.entries({
                  transport: t.transport,
                  encoding: t.encoding,
                  audioField: t.audio_field,
                  receiveAudioField: t.receive_audio_field,
                  staticFields: t.static_fields,
                }).filter(([, v]) => v !== undefined),
              ),
            }),
      };
      return { operation: 'connectAudioStream', invoke: (cl) => cl.connectAudioStream(String(body.sessionId), String(body.token), options as never), body: asJson, quirks };
    }
    case 'POST connect/:/stop':
      return { operation: 'stopAudioStream', invoke: (cl) => cl.stopAudioStream(a!), body: none(), quirks };
    case 'POST render': {
      const name = obj(body.properties).name as string | undefined;
      const options = { ...without(body, 'properties'), ...(name !== undefined ? { name } : {}) };
      return { operation: 'startRender', invoke: (cl) => cl.startRender(options as never), body: asJson, quirks };
    }
    case 'GET render':
      return { operation: 'listRenders', invoke: (cl) => cl.listRenders(listOptions), body: { kind: 'none' }, quirks };
    case 'GET render/:':
      return { operation: 'getRender', invoke: (cl) => cl.getRender(a!), body: { kind: 'none' }, quirks };
    case 'DELETE render/:':
      return { operation: 'stopRender', invoke: (cl) => cl.stopRender(a!), body: { kind: 'none' }, quirks };
    case 'POST captions':
      return {
        operation: 'startCaptions',
        invoke: (cl) => cl.startCaptions(String(body.sessionId), String(body.token), without(body, 'sessionId', 'token')),
        body: asJson,
        quirks,
      };
    case 'POST captions/:/stop':
      return { operation: 'stopCaptions', invoke: (cl) => cl.stopCaptions(a!), body: none(), quirks };
    case 'GET captions/:':
      return { operation: 'getCaptions', invoke: (cl) => cl.getCaptions(a!), body: { kind: 'none' }, quirks };
    case 'POST callback':
      return { operation: 'registerCallback', invoke: (cl) => cl.registerCallback(body as never), body: asJson, quirks };
    case 'GET callback':
      return { operation: 'listCallbacks', invoke: (cl) => cl.listCallbacks(), body: { kind: 'none' }, quirks };
    case 'DELETE callback/:':
      return { operation: 'unregisterCallback', invoke: (cl) => cl.unregisterCallback(a!), body: { kind: 'none' }, quirks };
    default:
      throw new Error(`${file.name}: no client operation for ${route} (${d ?? ''})`);
  }
}

// ---------------------------------------------------------------------------
// Checking what came back

function recordedMessage(body: string | null): string | undefined {
  const text = (body ?? '').trim();
  if (text === '') return undefined;
  if (text.startsWith('<')) return /<message>([\s\S]*?)<\/message>/.exec(text)?.[1];
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const message = parsed.message ?? parsed.error;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return text;
  }
}

const ERROR_CLASSES: Record<number, new (...args: never[]) => Error> = {
  400: OpenTokInvalidRequestError,
  403: OpenTokAuthError,
  404: OpenTokNotFoundError,
  409: OpenTokConflictError,
  500: OpenTokUnavailableError,
  503: OpenTokUnavailableError,
};

function wireProjectId(wire: Record<string, unknown>, fallback: string): string {
  const value = wire.projectId ?? wire.partnerId ?? wire.applicationId;
  return value === undefined ? fallback : String(value);
}

/** Asserts that the typed result carries what the recorded response said. */
function checkResult(operation: string, result: unknown, response: RecordedExchange['response'], projectId: string): void {
  const text = response.body ?? '';
  const wire: unknown = text.trim().startsWith('{') || text.trim().startsWith('[') ? JSON.parse(text) : undefined;
  const w = obj(wire);
  switch (operation) {
    case 'createSession': {
      const expected = text.trim().startsWith('<') ? /<session_id>(.*?)<\/session_id>/.exec(text)?.[1] : obj((wire as Json[])[0]).session_id;
      expect((result as { sessionId: string }).sessionId).toBe(expected);
      return;
    }
    case 'startArchive':
    case 'getArchive':
    case 'stopArchive':
    case 'startBroadcast':
    case 'getBroadcast':
    case 'stopBroadcast':
    case 'startRender':
    case 'getRender': {
      const r = result as { id: string; status: string; projectId: string; createdAt: number };
      expect(r.id).toBe(w.id);
      expect(r.status).toBe(w.status);
      expect(r.projectId).toBe(wireProjectId(w, projectId));
      expect(r.createdAt).toBe(w.createdAt ?? 0);
      if (operation.endsWith('Archive')) {
        const a = result as { hasAudio: boolean; hasVideo: boolean; outputMode: string; url: string | null; streams: unknown[] };
        expect(a.hasAudio).toBe(w.hasAudio ?? true);
        expect(a.hasVideo).toBe(w.hasVideo ?? true);
        expect(a.outputMode).toBe(w.outputMode ?? 'composed');
        expect(a.url).toBe(w.url ?? null);
        expect(a.streams).toHaveLength(Array.isArray(w.streams) ? w.streams.length : 0);
      }
      if (operation.endsWith('Broadcast') && w.broadcastUrls) {
        const urls = obj(w.broadcastUrls);
        const parsed = (result as { broadcastUrls: { hls: string | null; rtmp: unknown[] } }).broadcastUrls;
        expect(parsed.hls).toBe(urls.hls ?? null);
        expect(parsed.rtmp).toHaveLength(Array.isArray(urls.rtmp) ? urls.rtmp.length : Object.keys(obj(urls.rtmp)).length);
      }
      return;
    }
    case 'listArchives':
    case 'listBroadcasts':
    case 'listRenders':
    case 'listStreams': {
      const page = result as { items: { id: string }[]; totalCount: number };
      const items = Array.isArray(w.items) ? (w.items as Record<string, unknown>[]) : [];
      expect(page.totalCount).toBe(w.count ?? items.length);
      expect(page.items.map((i) => i.id)).toEqual(items.map((i) => i.id));
      return;
    }
    case 'getStream': {
      const s = result as { id: string; name: string; layoutClassList: string[]; videoType: string };
      expect(s.id).toBe(w.id);
      expect(s.layoutClassList).toEqual(w.layoutClassList ?? []);
      expect(s.videoType).toBe(w.videoType ?? 'camera');
      return;
    }
    case 'dialSip':
      expect(result).toEqual({ id: w.id, connectionId: w.connectionId, streamId: w.streamId });
      return;
    case 'connectAudioStream':
      expect(result).toEqual({ id: w.id, connectionId: w.connectionId });
      return;
    case 'startCaptions':
      expect(result).toEqual({ captionsId: w.captionsId });
      return;
    case 'getCaptions': {
      const info = result as { captionsId: string; status: string; projectId: string; provider: string | null };
      expect(info.captionsId).toBe(w.captionId ?? w.captionsId);
      expect(info.status).toBe(w.status);
      expect(info.projectId).toBe(wireProjectId(w, projectId));
      expect(info.provider).toBe(w.provider ?? null);
      return;
    }
    case 'registerCallback':
      expect(result).toEqual({ id: w.id, group: w.group, event: w.event, url: w.url, createdAt: w.createdAt });
      return;
    case 'listCallbacks':
      expect((result as { id: string }[]).map((cb) => cb.id)).toEqual((wire as Record<string, unknown>[]).map((cb) => cb.id));
      return;
    default:
      // Operations that resolve to nothing.
      expect(result).toBeUndefined();
  }
}

function checkRequest(sent: RecordedRequest, exchange: RecordedExchange, p: Plan, projectId: string): void {
  const recorded = new URL(exchange.request.uri);
  expect(sent.method).toBe(exchange.request.method);
  const expectedPath = decodeURIComponent(recorded.pathname.replace(/^\/v2\/project\/[^/]+/, `/v2/project/${projectId}`)).replace(/(.)\/$/, '$1');
  expect(decodeURIComponent(sent.path)).toBe(expectedPath);
  const pairs = (q: URLSearchParams): string[] => [...q.entries()].map(([k, v]) => `${k}=${v}`).sort();
  expect(pairs(sent.query)).toEqual(pairs(recorded.searchParams));
  expect(sent.headers.accept).toBe('application/json');
  expect(sent.headers['user-agent']).toMatch(/^opentok-gateway\//);

  if (p.body.kind === 'json') {
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(sent.body)).toEqual(p.body.value);
  } else if (p.body.kind === 'form') {
    expect(sent.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual(p.body.fields);
  } else {
    expect(sent.body).toBe('');
  }
}

async function checkAuth(sent: RecordedRequest, vonage: boolean): Promise<void> {
  if (vonage) {
    const header = String(sent.headers.authorization ?? '');
    expect(header).toMatch(/^Bearer /);
    const { createPublicKey } = await import('node:crypto');
    const { payload, protectedHeader } = await jwtVerify(header.slice(7), createPublicKey(PUBLIC_KEY), { algorithms: ['RS256'] });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.application_id).toBe(APPLICATION_ID);
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
    expect(sent.headers['x-opentok-auth']).toBeUndefined();
  } else {
    const jwt = String(sent.headers['x-opentok-auth'] ?? '');
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(API_SECRET), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ iss: API_KEY, ist: 'project' });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
    expect(sent.headers.authorization).toBeUndefined();
  }
}

// ---------------------------------------------------------------------------

const fixtures = loadFixtures();
const covered = new Map<string, number>();
let exchangesRun = 0;
let validationRefusals = 0;
const quirkCount = new Map<string, number>();

let server: FixtureServer;
let opentok: OpenTokClient;
let vonage: OpenTokClient;

beforeAll(async () => {
  server = await startFixtureServer();
  // Retries off: one recorded response answers exactly one request.
  opentok = createOpenTokClient({ apiKey: API_KEY, apiSecret: API_SECRET, apiUrl: server.url, retry: { retries: 0 } });
  vonage = createOpenTokClient({ applicationId: APPLICATION_ID, privateKey: PRIVATE_KEY, apiUrl: server.url, retry: { retries: 0 } });
});

afterAll(async () => {
  await server.close();
});

describe('conformance with the recorded SDK exchanges', () => {
  for (const file of fixtures) {
    it(file.name, async () => {
      const isVonage = file.name.startsWith('vonage-video/') || file.name.startsWith('node/shim/');
      const client = isVonage ? vonage : opentok;
      const projectId = isVonage ? APPLICATION_ID : API_KEY;
      for (const exchange of file.exchanges) {
        server.reset();
        const p = plan(file, exchange);
        for (const q of p.quirks) quirkCount.set(q.replace(/:".*"/, ''), (quirkCount.get(q.replace(/:".*"/, '')) ?? 0) + 1);
        server.script({ status: exchange.response.status, headers: exchange.response.headers ?? {}, body: exchange.response.body });

        const rejected = REJECTED_BY_VALIDATION[file.name];
        if (rejected) {
          const error = await p.invoke(client).then(() => null, (e: unknown) => e);
          expect(error, rejected.why).toBeInstanceOf(OpenTokValidationError);
          expect((error as OpenTokValidationError).field).toBe(rejected.field);
          expect((error as OpenTokValidationError).operation).toBe(p.operation);
          expect(server.requests).toHaveLength(0);
          validationRefusals += 1;
          covered.set(p.operation, (covered.get(p.operation) ?? 0) + 1);
          exchangesRun += 1;
          continue;
        }

        const outcome = await p.invoke(client).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        expect(server.requests).toHaveLength(1);
        const sent = server.requests[0]!;
        checkRequest(sent, exchange, p, projectId);
        await checkAuth(sent, isVonage);

        const { status } = exchange.response;
        if (status >= 200 && status < 300) {
          if (!outcome.ok) throw outcome.error;
          checkResult(p.operation, outcome.value, exchange.response, projectId);
          if (p.operation === 'createSession' && file.name.includes('can_generate_a_token')) {
            // The recorded id embeds API key 123456, so our token for it must verify.
            const sessionId = (outcome.value as { sessionId: string }).sessionId;
            const verified = await verifyToken(client.generateToken(sessionId, { role: 'moderator' }), { apiKey: API_KEY, apiSecret: API_SECRET }, { sessionId });
            expect(verified.role).toBe('moderator');
          }
        } else {
          expect(outcome.ok, `${file.name} should fail with ${status}`).toBe(false);
          const error = (outcome as { error: unknown }).error as OpenTokUnavailableError;
          const errorClass = ERROR_CLASSES[status];
          if (!errorClass) throw new Error(`no expected error class for ${status}`);
          expect(error).toBeInstanceOf(errorClass);
          expect(error.status).toBe(status);
          expect(error.operation).toBe(p.operation);
          expect(error.serverMessage).toBe(recordedMessage(exchange.response.body));
          if (status >= 500) expect(error.reason).toBe('server-error');
        }
        covered.set(p.operation, (covered.get(p.operation) ?? 0) + 1);
        exchangesRun += 1;
      }
    });
  }

  it('covers every fixture and every client operation', () => {
    const total = fixtures.reduce((n, f) => n + f.exchanges.length, 0);
    expect(exchangesRun).toBe(total);
    const missing = ALL_OPERATIONS.filter((op) => !covered.has(op) && !(op in COVERED_ELSEWHERE));
    expect(missing).toEqual([]);
    const bySource = new Map<string, number>();
    for (const f of fixtures) bySource.set(f.source, (bySource.get(f.source) ?? 0) + 1);
    console.info(
      [
        `conformance: ${fixtures.length} fixture files (${[...bySource].map(([s, n]) => `${s} ${n}`).join(', ')}), ${exchangesRun}/${total} exchanges driven, ` +
          `${validationRefusals} refused by client-side validation as documented`,
        `operations covered by fixtures: ${covered.size}/${ALL_OPERATIONS.length} (${[...covered].map(([op, n]) => `${op} ${n}`).join(', ')})`,
        `covered by their own tests: ${Object.entries(COVERED_ELSEWHERE).map(([op, where]) => `${op} (${where})`).join(', ')}`,
        `SDK quirks normalised: ${[...quirkCount].map(([q, n]) => `${q} ×${n}`).join(', ')}`,
      ].join('\n'),
    );
  });
});
