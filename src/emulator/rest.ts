/**
 * The OpenTok REST API (API.md §5.12): one handler per operation, same paths, methods, bodies
 * and success codes as the platform. Each handler reads and validates its whole input first,
 * then checks state, then mutates — so a rejected request changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ARCHIVE_MODES,
  AUDIO_RATES,
  CAPTION_LANGUAGES,
  LIMITS,
  OUTPUT_MODES,
  RESOLUTIONS,
  STREAM_MODES,
  SIGNAL_TYPE_PATTERN,
  DTMF_DIGITS_PATTERN,
  type Resolution,
} from '../client/constants.js';
import { OpenTokTokenError } from '../client/errors.js';
import { verifyToken, type TokenVerificationKeys } from '../client/tokens.js';
import type { VerifiedToken } from '../client/types.js';
import {
  HttpError,
  badRequest,
  conflict,
  notFound,
  sendEmpty,
  sendJson,
  sendJsonText,
  wantsJson,
  type JsonObject,
} from './http.js';
import type { Router } from './router.js';
import {
  ArchiveRec,
  AudioConnectorRec,
  BroadcastRec,
  CaptionsRec,
  RenderRec,
  SipCallRec,
  type EmulatorState,
  type SessionRec,
  type ArchiveInput,
  type BroadcastInput,
  type IncludedStreamRec,
  type StreamRec,
} from './state.js';
import {
  byteLength,
  isIPv4,
  optBool,
  optEnum,
  optInt,
  optObject,
  optString,
  optStringArray,
  readLayout,
  readStreamPatch,
  reqString,
  type LayoutInput,
} from './validate.js';

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  /** Raw query string, without `?`. */
  query: string;
  /** The project the credentials speak for. */
  project: string;
  json(): Promise<JsonObject>;
  form(): Promise<URLSearchParams>;
}

export type Handler = (c: Call) => void | Promise<void>;

export interface RestDeps {
  state: EmulatorState;
  tokenKeys: TokenVerificationKeys;
}

// ---------------------------------------------------------------------------
// Shared helpers

function session(state: EmulatorState, id: string): SessionRec {
  const s = state.sessions.get(id);
  if (s === undefined) throw notFound('Session not found. The session ID does not exist.');
  return s;
}

function stream(s: SessionRec, id: string): StreamRec {
  const st = s.streams.get(id);
  if (st === undefined) throw notFound('Stream not found. The stream ID does not exist in this session.');
  return st;
}

/** `offset`/`count`/`sessionId` of list calls (API.md §3): count 0..1000, default 50. */
function listQuery(query: string): { offset: number; count: number; sessionId: string | undefined } {
  let offset = 0;
  let count: number = LIMITS.listCountDefault;
  let sessionId: string | undefined;
  if (query !== '') {
    const q = new URLSearchParams(query);
    const o = q.get('offset');
    const c = q.get('count');
    if (o !== null && o !== '') {
      if (!/^\d+$/.test(o)) throw badRequest('offset must be a non-negative integer');
      offset = Number(o);
    }
    if (c !== null && c !== '') {
      if (!/^\d+$/.test(c)) throw badRequest('count must be a non-negative integer');
      count = Math.min(Number(c), LIMITS.listCountMax);
    }
    sessionId = q.get('sessionId') ?? undefined;
    if (sessionId === '') sessionId = undefined;
  }
  return { offset, count, sessionId };
}

/** Newest-first page over an oldest-first list, with `count` = all matches. */
function pageOf<T>(all: readonly T[], offset: number, count: number): { total: number; items: T[] } {
  const items: T[] = [];
  for (let i = all.length - 1 - offset; i >= 0 && items.length < count; i--) items.push(all[i]!);
  return { total: all.length, items };
}

/** Verifies a client token the platform receives in a body (render, captions, SIP, connect). */
async function bodyToken(deps: RestDeps, token: string, sessionId: string): Promise<VerifiedToken> {
  try {
    return await verifyToken(token, deps.tokenKeys, { sessionId, now: new Date(deps.state.now()) });
  } catch (error) {
    if (error instanceof OpenTokTokenError) throw badRequest(`Invalid token: ${error.message}`);
    throw error;
  }
}

function routedOnly(s: SessionRec, message: string): void {
  if (s.mediaMode !== 'routed') throw conflict(message);
}

function bool(body: JsonObject, key: string, fallback: boolean): boolean {
  return optBool(body, key) ?? fallback;
}

function readOptionalLayout(body: JsonObject): LayoutInput | undefined {
  const layout = optObject(body, 'layout');
  return layout === undefined ? undefined : readLayout(layout);
}

function applyStreamPatch(
  s: SessionRec | undefined,
  included: Map<string, IncludedStreamRec>,
  body: JsonObject,
): void {
  const patch = readStreamPatch(body);
  if ('remove' in patch) {
    if (!included.has(patch.remove)) throw notFound('Stream not found. The stream is not part of this composition.');
    included.delete(patch.remove);
    return;
  }
  if (s === undefined || !s.streams.has(patch.add)) throw notFound('Stream not found. The stream ID does not exist in this session.');
  included.set(patch.add, { hasAudio: patch.hasAudio, hasVideo: patch.hasVideo });
}

// ---------------------------------------------------------------------------

export function registerRest(router: Router<Handler>, deps: RestDeps): void {
  const { state } = deps;
  const P = '/v2/project/:project';

  // --- Sessions (§5.1) ----------------------------------------------------
  router.add('POST', '/session/create', 'session.create', async (c) => {
    const form = await c.form();
    const p2p = form.get('p2p.preference');
    if (p2p !== null && p2p !== '' && p2p !== 'enabled' && p2p !== 'disabled') {
      throw badRequest('p2p.preference must be "enabled" or "disabled"');
    }
    // The REST default is routed; the legacy SDKs always send the field.
    const mediaMode = p2p === 'enabled' ? 'relayed' : 'routed';
    const archiveModeRaw = form.get('archiveMode');
    const archiveMode = archiveModeRaw === null || archiveModeRaw === '' ? 'manual' : archiveModeRaw;
    if (!ARCHIVE_MODES.includes(archiveMode as never)) throw badRequest('archiveMode must be "manual" or "always"');
    const archiveName = form.get('archiveName') ?? '';
    const resolutionRaw = form.get('archiveResolution');
    if (archiveMode !== 'always' && (archiveName !== '' || (resolutionRaw !== null && resolutionRaw !== ''))) {
      throw badRequest('archiveName and archiveResolution are only allowed with archiveMode "always"');
    }
    if (archiveName.length > LIMITS.archiveNameMaxLength) throw badRequest(`archiveName must be at most ${LIMITS.archiveNameMaxLength} characters`);
    const archiveResolution = resolutionRaw === null || resolutionRaw === '' ? '640x480' : resolutionRaw;
    if (!RESOLUTIONS.includes(archiveResolution as Resolution)) throw badRequest(`archiveResolution must be one of ${RESOLUTIONS.join(', ')}`);
    if (archiveMode === 'always' && mediaMode !== 'routed') {
      throw badRequest('A session with always archive mode must also have the routed media mode.');
    }
    // The Vonage SDK sends the literal string "null" when no location is given.
    const locationRaw = form.get('location');
    const location = locationRaw === null || locationRaw === '' || locationRaw === 'null' ? null : locationRaw;
    if (location !== null && !isIPv4(location)) throw badRequest('location must be an IPv4 address');
    const e2eeRaw = form.get('e2ee');
    if (e2eeRaw !== null && e2eeRaw !== '' && e2eeRaw !== 'true' && e2eeRaw !== 'false') throw badRequest('e2ee must be true or false');
    const e2ee = e2eeRaw === 'true';
    if (e2ee && mediaMode !== 'routed') throw badRequest('A session with relayed media mode should not have e2ee set to true.');
    if (e2ee && archiveMode === 'always') throw badRequest('A session with always archive mode must not have e2ee set to true.');

    const s = state.createSession({
      projectId: c.project,
      mediaMode,
      archiveMode: archiveMode as 'manual' | 'always',
      archiveName,
      archiveResolution: archiveResolution as Resolution,
      e2ee,
      location,
    });
    if (wantsJson(c.req)) {
      sendJson(c.res, 200, [{
        session_id: s.id,
        project_id: c.project,
        partner_id: c.project,
        create_dt: s.createDt,
        media_server_url: '',
      }]);
      return;
    }
    const xml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sessions><Session>' +
      `<session_id>${s.id}</session_id><partner_id>${c.project}</partner_id><create_dt>${s.createDt}</create_dt>` +
      '</Session></sessions>';
    c.res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
    c.res.end(xml);
  });

  // --- Archives (§5.2) ----------------------------------------------------
  router.add('POST', `${P}/archive`, 'archive.start', async (c) => {
    const body = await c.json();
    const sessionId = reqString(body, 'sessionId');
    const outputMode = optEnum(body, 'outputMode', OUTPUT_MODES) ?? 'composed';
    const resolution = optEnum(body, 'resolution', RESOLUTIONS);
    const layout = readOptionalLayout(body);
    if (outputMode === 'individual' && resolution !== undefined) throw badRequest('Resolution cannot be supplied for individual output mode');
    if (outputMode === 'individual' && layout !== undefined) throw badRequest('Layout cannot be supplied for individual output mode');
    const hasAudio = bool(body, 'hasAudio', true);
    const hasVideo = bool(body, 'hasVideo', true);
    if (!hasAudio && !hasVideo) throw badRequest('hasAudio and hasVideo cannot both be false');
    const maxBitrate = optInt(body, 'maxBitrate', LIMITS.maxBitrateMin, LIMITS.maxBitrateMax);
    const qp = optInt(body, 'quantizationParameter', LIMITS.quantizationParameterMin, LIMITS.quantizationParameterMax);
    if (maxBitrate !== undefined && qp !== undefined) throw badRequest('maxBitrate and quantizationParameter cannot both be set');
    if (outputMode === 'individual' && (maxBitrate !== undefined || qp !== undefined)) {
      throw badRequest('maxBitrate and quantizationParameter are only allowed for composed archives');
    }
    const tag = optString(body, 'multiArchiveTag');
    const hasTranscription = bool(body, 'hasTranscription', false);
    const tpBody = optObject(body, 'transcriptionProperties');
    let transcriptionProperties: ArchiveInput['transcriptionProperties'];
    if (tpBody !== undefined) {
      transcriptionProperties = {
        primaryLanguageCode: optString(tpBody, 'primaryLanguageCode') ?? 'en-US',
        hasSummary: optBool(tpBody, 'hasSummary') ?? false,
      };
    }
    const input: ArchiveInput = {
      name: optString(body, 'name') ?? '',
      hasAudio,
      hasVideo,
      outputMode,
      resolution: resolution ?? '640x480',
      streamMode: optEnum(body, 'streamMode', STREAM_MODES) ?? 'auto',
      layout: layout ?? { type: 'bestFit' },
      multiArchiveTag: tag === '' ? undefined : tag,
      maxBitrate,
      quantizationParameter: qp,
      hasTranscription,
      transcriptionProperties,
    };

    const s = session(state, sessionId);
    routedOnly(s, 'Conflict. The session is relayed (peer-to-peer) and cannot be archived; only routed sessions can be archived.');
    if (s.e2ee) throw conflict('Conflict. Archiving is not available for end-to-end encrypted sessions.');
    if (s.connections.size === 0) throw badRequest('Not found. No clients are actively connected to the OpenTok session.');
    for (const a of s.archives) {
      if (a.isActive() && a.input.multiArchiveTag === input.multiArchiveTag) {
        throw conflict(input.multiArchiveTag === undefined
          ? 'Conflict. The session is already being recorded.'
          : 'Session is already composed for given tag');
      }
    }
    const archive = new ArchiveRec(state, s, input);
    // Captured before the archive pauses for want of publishers: the start response says started.
    const response = archive.startResponse();
    state.addArchive(s, archive);
    sendJson(c.res, 200, response);
  });

  router.add('GET', `${P}/archive/:id`, 'archive.get', (c) => {
    const archive = state.archiveById.get(c.params[1]!);
    if (archive === undefined) throw notFound('Archive not found');
    sendJsonText(c.res, 200, archive.toJson());
  });

  router.add('GET', `${P}/archive`, 'archive.list', (c) => {
    const q = listQuery(c.query);
    let all: readonly ArchiveRec[] = state.archives;
    if (q.sessionId !== undefined) all = state.sessions.get(q.sessionId)?.archives ?? [];
    const { total, items } = pageOf(all, q.offset, q.count);
    let text = `{"count":${total},"items":[`;
    for (let i = 0; i < items.length; i++) text += (i === 0 ? '' : ',') + items[i]!.toJson();
    sendJsonText(c.res, 200, `${text}]}`);
  });

  router.add('POST', `${P}/archive/:id/stop`, 'archive.stop', async (c) => {
    await c.json();
    const archive = state.archiveById.get(c.params[1]!);
    if (archive === undefined) throw notFound('Archive not found');
    if (!archive.isActive()) throw conflict('Conflict. You are trying to stop an archive that is not recording.');
    archive.stop(state.now(), 'user initiated');
    sendJsonText(c.res, 200, archive.toJson());
  });

  router.add('DELETE', `${P}/archive/:id`, 'archive.delete', (c) => {
    const archive = state.archiveById.get(c.params[1]!);
    if (archive === undefined) throw notFound('Archive not found');
    if (archive.status !== 'available' && archive.status !== 'uploaded') {
      throw conflict(`Conflict. You can only delete an archive which has a status of "available" or "uploaded" (this one is "${archive.status}").`);
    }
    state.deleteArchive(archive);
    sendEmpty(c.res, 204);
  });

  router.add('PUT', `${P}/archive/:id/layout`, 'archive.layout', async (c) => {
    const layout = readLayout(await c.json());
    const archive = state.archiveById.get(c.params[1]!);
    if (archive === undefined) throw notFound('Archive not found');
    if (archive.input.outputMode !== 'composed') throw badRequest('Layouts only apply to composed archives');
    if (!archive.isActive()) throw conflict('Conflict. The archive is not being recorded.');
    archive.layout = layout;
    sendEmpty(c.res, 200);
  });

  router.add('PATCH', `${P}/archive/:id/streams`, 'archive.streams', async (c) => {
    const body = await c.json();
    const archive = state.archiveById.get(c.params[1]!);
    if (archive === undefined) throw notFound('Archive not found');
    readStreamPatch(body);
    if (archive.input.streamMode !== 'manual') throw new HttpError(405, 'The archive was started with streamMode "auto"; streams can only be changed in manual mode.');
    if (!archive.isActive()) throw conflict('Conflict. The archive is not being recorded.');
    applyStreamPatch(state.sessions.get(archive.sessionId), archive.included, body);
    archive.streamsChanged(state.now());
    sendEmpty(c.res, 204);
  });

  // --- Broadcasts (§5.3) --------------------------------------------------
  router.add('POST', `${P}/broadcast`, 'broadcast.start', async (c) => {
    const body = await c.json();
    const sessionId = reqString(body, 'sessionId');
    const outputs = optObject(body, 'outputs');
    if (outputs === undefined) throw badRequest('outputs is required');
    let hls: BroadcastInput['hls'] = null;
    const hlsBody = optObject(outputs, 'hls');
    if (hlsBody !== undefined) {
      const dvr = optBool(hlsBody, 'dvr') ?? false;
      // Ruby sends nested keys snake_case.
      const lowLatency = optBool(hlsBody, 'lowLatency') ?? optBool(hlsBody, 'low_latency') ?? false;
      if (dvr && lowLatency) throw badRequest('dvr and lowLatency cannot both be true for HLS');
      hls = { dvr, lowLatency };
    }
    const rtmpRaw = outputs.rtmp;
    // Ruby (and its docs) allow a single RTMP object instead of an array.
    const rtmpList = rtmpRaw === undefined || rtmpRaw === null ? [] : Array.isArray(rtmpRaw) ? rtmpRaw : [rtmpRaw];
    if (rtmpList.length > LIMITS.rtmpTargetsMax) throw badRequest(`Invalid request: no more than ${LIMITS.rtmpTargetsMax} RTMP targets are allowed`);
    const rtmp = rtmpList.map((entry: unknown, i) => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw badRequest(`outputs.rtmp[${i}] must be an object`);
      const r = entry as JsonObject;
      const serverUrl = reqString(r, 'serverUrl', `outputs.rtmp[${i}].serverUrl`);
      if (!/^rtmps?:\/\/\S+$/i.test(serverUrl)) throw badRequest(`outputs.rtmp[${i}].serverUrl must be an rtmp:// or rtmps:// URL`);
      const streamName = reqString(r, 'streamName', `outputs.rtmp[${i}].streamName`);
      return { id: optString(r, 'id') ?? '', serverUrl, streamName };
    });
    const ids = rtmp.map((r) => r.id).filter((id) => id !== '');
    if (new Set(ids).size !== ids.length) throw badRequest('RTMP target ids must be unique');
    if (hls === null && rtmp.length === 0) throw badRequest('outputs must include hls or rtmp');
    const hasAudio = bool(body, 'hasAudio', true);
    const hasVideo = bool(body, 'hasVideo', true);
    if (!hasAudio && !hasVideo) throw badRequest('hasAudio and hasVideo cannot both be false');
    const tag = optString(body, 'multiBroadcastTag');
    const input: BroadcastInput = {
      hls,
      rtmp,
      resolution: optEnum(body, 'resolution', RESOLUTIONS) ?? '640x480',
      maxDuration: optInt(body, 'maxDuration', LIMITS.broadcastMaxDurationMin, LIMITS.broadcastMaxDurationMax) ?? LIMITS.broadcastMaxDurationDefault,
      // Ruby's docs spell it maxBitRate.
      maxBitrate: optInt(body, 'maxBitrate', LIMITS.maxBitrateMin, LIMITS.maxBitrateMax) ?? optInt(body, 'maxBitRate', LIMITS.maxBitrateMin, LIMITS.maxBitrateMax),
      hasAudio,
      hasVideo,
      streamMode: optEnum(body, 'streamMode', STREAM_MODES) ?? 'auto',
      layout: readOptionalLayout(body) ?? { type: 'bestFit' },
      multiBroadcastTag: tag === '' ? undefined : tag,
    };

    const s = session(state, sessionId);
    routedOnly(s, 'Conflict. Only routed sessions can be broadcast.');
    for (const b of s.broadcasts) {
      if (b.status === 'started' && b.input.multiBroadcastTag === input.multiBroadcastTag) {
        throw conflict('Conflict. A broadcast has already started for this session' + (input.multiBroadcastTag === undefined ? '.' : ' with this multiBroadcastTag.'));
      }
    }
    const broadcast = new BroadcastRec(state, s, input);
    state.addBroadcast(s, broadcast);
    sendJson(c.res, 200, broadcast.startResponse());
  });

  router.add('GET', `${P}/broadcast/:id`, 'broadcast.get', (c) => {
    const b = state.broadcastById.get(c.params[1]!);
    if (b === undefined) throw notFound('Broadcast not found');
    sendJson(c.res, 200, b.wire());
  });

  router.add('GET', `${P}/broadcast`, 'broadcast.list', (c) => {
    const q = listQuery(c.query);
    let all: readonly BroadcastRec[] = state.broadcasts;
    if (q.sessionId !== undefined) all = state.sessions.get(q.sessionId)?.broadcasts ?? [];
    const { total, items } = pageOf(all, q.offset, q.count);
    sendJson(c.res, 200, { count: total, items: items.map((b) => b.wire()) });
  });

  router.add('POST', `${P}/broadcast/:id/stop`, 'broadcast.stop', async (c) => {
    await c.json();
    const b = state.broadcastById.get(c.params[1]!);
    if (b === undefined) throw notFound('Broadcast not found');
    // The platform answers 404 for a broadcast that has already stopped (API.md §5.3.4).
    if (b.status !== 'started') throw notFound('Broadcast not found. The broadcast has already stopped.');
    b.stop(state.now());
    sendJson(c.res, 200, b.wire());
  });

  router.add('PUT', `${P}/broadcast/:id/layout`, 'broadcast.layout', async (c) => {
    const layout = readLayout(await c.json());
    const b = state.broadcastById.get(c.params[1]!);
    if (b === undefined) throw notFound('Broadcast not found');
    if (b.status !== 'started') throw conflict('Conflict. The broadcast has stopped.');
    b.layout = layout;
    sendEmpty(c.res, 200);
  });

  router.add('PATCH', `${P}/broadcast/:id/streams`, 'broadcast.streams', async (c) => {
    const body = await c.json();
    const b = state.broadcastById.get(c.params[1]!);
    if (b === undefined) throw notFound('Broadcast not found');
    readStreamPatch(body);
    if (b.input.streamMode !== 'manual') throw new HttpError(405, 'The broadcast was started with streamMode "auto"; streams can only be changed in manual mode.');
    if (b.status !== 'started') throw conflict('Conflict. The broadcast has stopped.');
    applyStreamPatch(state.sessions.get(b.sessionId), b.included, body);
    sendEmpty(c.res, 204);
  });

  // --- Streams (§5.4) -----------------------------------------------------
  const streamWire = (st: StreamRec): Record<string, unknown> => {
    const w: Record<string, unknown> = { id: st.id };
    if (st.videoType !== null) w.videoType = st.videoType;
    w.name = st.name;
    w.layoutClassList = st.layoutClassList;
    return w;
  };

  // The platform answers 404 for stream lookups in a session nobody has published in yet
  // (OpenAPI 0.2.1: "The session exists but has not had any streams added to it yet.").
  const streamsOf = (id: string): SessionRec => {
    const s = session(state, id);
    if (!s.hadStreams) throw notFound('The session exists but has not had any streams added to it yet.');
    return s;
  };

  router.add('GET', `${P}/session/:sid/stream/:stid`, 'stream.get', (c) => {
    const s = streamsOf(c.params[1]!);
    const text = JSON.stringify(streamWire(stream(s, c.params[2]!)));
    // Compatibility shim, for this one response only: opentok-node ≥ 2.21 parses the JSON of
    // getStream a second time (`new Stream(JSON.parse(json))` on an already-parsed object, an
    // SDK regression of its fetch rewrite), so a body labelled application/json crashes it.
    // That SDK gets the same JSON labelled text/plain; every other client gets application/json.
    const ua = c.req.headers['user-agent'];
    if (typeof ua === 'string' && ua.startsWith('OpenTok-Node-SDK/')) {
      c.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      c.res.end(text);
      return;
    }
    sendJsonText(c.res, 200, text);
  });

  router.add('GET', `${P}/session/:sid/stream`, 'stream.list', (c) => {
    const s = streamsOf(c.params[1]!);
    const items: Record<string, unknown>[] = [];
    for (const st of s.streams.values()) items.push(streamWire(st));
    sendJson(c.res, 200, { count: items.length, items });
  });

  router.add('PUT', `${P}/session/:sid/stream`, 'stream.setLayoutClassLists', async (c) => {
    const body = await c.json();
    const items = body.items;
    if (!Array.isArray(items) || items.length === 0) throw badRequest('items must be a non-empty array');
    const changes = items.map((item: unknown, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw badRequest(`items[${i}] must be an object`);
      const id = reqString(item as JsonObject, 'id', `items[${i}].id`);
      const list = optStringArray(item as JsonObject, 'layoutClassList');
      if (list === undefined) throw badRequest(`items[${i}].layoutClassList is required`);
      if (list.some((cls) => cls === '' || /\s/.test(cls))) throw badRequest(`items[${i}].layoutClassList entries must be non-empty class names without spaces`);
      return { id, list };
    });
    const s = session(state, c.params[1]!);
    const targets = changes.map((ch) => ({ st: stream(s, ch.id), list: ch.list }));
    for (const t of targets) t.st.layoutClassList = [...t.list];
    sendEmpty(c.res, 200);
  });

  // --- Moderation (§5.5) --------------------------------------------------
  router.add('DELETE', `${P}/session/:sid/connection/:cid`, 'connection.forceDisconnect', (c) => {
    const s = session(state, c.params[1]!);
    const conn = s.connections.get(c.params[2]!);
    if (conn === undefined) throw notFound('Not found. The client specified by the connection ID is not connected to the session.');
    state.removeConnection(s, conn, 'forceDisconnected');
    sendEmpty(c.res, 204);
  });

  router.add('POST', `${P}/session/:sid/stream/:stid/mute`, 'moderation.muteStream', async (c) => {
    await c.json();
    const s = session(state, c.params[1]!);
    state.forceMute(s, stream(s, c.params[2]!));
    sendEmpty(c.res, 200);
  });

  router.add('POST', `${P}/session/:sid/mute`, 'moderation.muteAll', async (c) => {
    const body = await c.json();
    const active = optBool(body, 'active');
    if (active === undefined) throw badRequest('active is required (true or false)');
    // Ruby sends `excludedStreams`; Node and Vonage `excludedStreamIds`.
    const excluded = optStringArray(body, 'excludedStreamIds') ?? optStringArray(body, 'excludedStreams') ?? [];
    const s = session(state, c.params[1]!);
    if (active) {
      s.forceMute = { active: true, excluded: new Set(excluded) };
      for (const st of s.streams.values()) if (!s.forceMute.excluded.has(st.id)) state.forceMute(s, st);
    } else {
      // Disabling only stops muting new streams; muted ones stay muted (API.md §5.5).
      s.forceMute = { active: false, excluded: new Set() };
    }
    sendEmpty(c.res, 200);
  });

  // --- Signals (§5.6) -----------------------------------------------------
  const readSignal = (body: JsonObject): { type: string; data: string } => {
    const type = optString(body, 'type') ?? '';
    const data = body.data;
    if (typeof data !== 'string') throw badRequest('Invalid signal: data must be a string');
    if (byteLength(type) > LIMITS.signalTypeMaxBytes || byteLength(data) > LIMITS.signalDataMaxBytes) {
      throw new HttpError(413, 'The type string exceeds the maximum length (128 bytes), or the data string exceeds the maximum size (8 kB).');
    }
    if (!SIGNAL_TYPE_PATTERN.test(type)) throw badRequest('Invalid signal type: use letters, digits, "-", "_" and "~" only');
    return { type, data };
  };

  router.add('POST', `${P}/session/:sid/signal`, 'signal.session', async (c) => {
    const sig = readSignal(await c.json());
    const s = session(state, c.params[1]!);
    state.deliverSignal(s.connections.values(), sig.type, sig.data);
    sendEmpty(c.res, 204);
  });

  router.add('POST', `${P}/session/:sid/connection/:cid/signal`, 'signal.connection', async (c) => {
    const sig = readSignal(await c.json());
    const s = session(state, c.params[1]!);
    const conn = s.connections.get(c.params[2]!);
    if (conn === undefined) throw notFound('Not found. The client specified by the connection ID is not connected to the session.');
    state.deliverSignal([conn], sig.type, sig.data);
    sendEmpty(c.res, 204);
  });

  // --- SIP (§5.7) ---------------------------------------------------------
  router.add('POST', `${P}/dial`, 'sip.dial', async (c) => {
    const body = await c.json();
    const sessionId = reqString(body, 'sessionId');
    const token = reqString(body, 'token');
    const sip = optObject(body, 'sip');
    if (sip === undefined) throw badRequest('sip is required');
    const uri = reqString(sip, 'uri', 'sip.uri');
    if (!/^sips?:[^@\s]+@[^@\s]+$/i.test(uri)) throw badRequest('Invalid SIP URI: use sip:user@domain.tld');
    const headers = optObject(sip, 'headers');
    if (headers !== undefined && !Object.values(headers).every((v) => typeof v === 'string')) throw badRequest('sip.headers values must be strings');
    const auth = optObject(sip, 'auth');
    if (auth !== undefined) {
      reqString(auth, 'username', 'sip.auth.username');
      optString(auth, 'password');
    }
    const input = {
      uri,
      from: optString(sip, 'from') || undefined,
      secure: optBool(sip, 'secure') ?? false,
      video: optBool(sip, 'video') ?? false,
      observeForceMute: optBool(sip, 'observeForceMute') ?? false,
      streams: optStringArray(sip, 'streams'),
    };
    const s = session(state, sessionId);
    routedOnly(s, 'Conflict. SIP calls can only be made in routed sessions.');
    const verified = await bodyToken(deps, token, sessionId);
    const call = new SipCallRec(state, s.id, input);
    state.sipCalls.set(call.id, call);
    call.begin(s, verified.data ?? '');
    sendJson(c.res, 200, call.wire());
  });

  const readDigits = (body: JsonObject): string => {
    const digits = optString(body, 'digits');
    if (digits === undefined || !DTMF_DIGITS_PATTERN.test(digits)) throw badRequest('Invalid DTMF digits: use 0-9, *, # and p');
    return digits;
  };
  // The recorded DTMF success is an empty body labelled application/xml.
  const dtmfDone = (c: Call): void => {
    c.res.writeHead(200, { 'content-type': 'application/xml', 'content-length': 0 });
    c.res.end();
  };

  router.add('POST', `${P}/session/:sid/play-dtmf`, 'sip.playDtmf.session', async (c) => {
    readDigits(await c.json());
    session(state, c.params[1]!);
    dtmfDone(c);
  });

  router.add('POST', `${P}/session/:sid/connection/:cid/play-dtmf`, 'sip.playDtmf.connection', async (c) => {
    readDigits(await c.json());
    const s = session(state, c.params[1]!);
    const conn = s.connections.get(c.params[2]!);
    if (conn === undefined) throw notFound('Not found. The connection is not connected to the session.');
    if (conn.kind !== 'sip') throw badRequest('DTMF digits can only be played to SIP connections');
    dtmfDone(c);
  });

  // --- Audio Connector (§5.8) ---------------------------------------------
  router.add('POST', `${P}/connect`, 'audioConnector.websocketConnect', async (c) => {
    const body = await c.json();
    const sessionId = reqString(body, 'sessionId');
    const token = reqString(body, 'token');
    const ws = optObject(body, 'websocket');
    if (ws === undefined) throw badRequest('websocket is required');
    const uri = reqString(ws, 'uri', 'websocket.uri');
    if (!/^wss?:\/\/\S+$/i.test(uri)) throw badRequest('websocket.uri must be a ws:// or wss:// URL');
    const headers = optObject(ws, 'headers');
    if (headers !== undefined && byteLength(JSON.stringify(headers)) > LIMITS.audioConnectorHeadersMaxBytes) {
      throw badRequest(`websocket.headers must total at most ${LIMITS.audioConnectorHeadersMaxBytes} bytes`);
    }
    const audioRate = optInt(ws, 'audioRate', 0, 1_000_000) ?? 16000;
    if (!AUDIO_RATES.includes(audioRate as never)) throw badRequest(`websocket.audioRate must be one of ${AUDIO_RATES.join(', ')}`);
    const bidirectional = optBool(ws, 'bidirectional') ?? false;
    const streams = optStringArray(ws, 'streams');
    optObject(ws, 'audioTransport');
    const s = session(state, sessionId);
    routedOnly(s, 'Conflict. Only routed sessions are allowed to initiate Connect Calls.');
    const verified = await bodyToken(deps, token, sessionId);
    const connector = new AudioConnectorRec(s.id, uri, streams, audioRate, bidirectional);
    state.audioConnectors.set(connector.id, connector);
    const conn = state.addConnection(s, { role: verified.role, data: verified.data ?? '', kind: 'audioConnector', ownerId: connector.id });
    connector.connectionId = conn.id;
    sendJson(c.res, 200, { id: connector.id, connectionId: conn.id });
  });

  router.add('POST', `${P}/connect/:id/stop`, 'audioConnector.websocketStop', async (c) => {
    await c.json();
    const connector = state.audioConnectors.get(c.params[1]!);
    if (connector === undefined || connector.status !== 'connected') throw notFound('Audio Connector connection not found');
    const s = state.sessions.get(connector.sessionId);
    const conn = s?.connections.get(connector.connectionId);
    if (s !== undefined && conn !== undefined) state.removeConnection(s, conn, 'clientDisconnected');
    else connector.ended(state.now());
    sendEmpty(c.res, 200);
  });

  // --- Experience Composer (§5.9) -----------------------------------------
  router.add('POST', `${P}/render`, 'render.start', async (c) => {
    const body = await c.json();
    const sessionId = reqString(body, 'sessionId');
    const token = reqString(body, 'token');
    const url = reqString(body, 'url');
    if (url.length < LIMITS.renderUrlMinLength || url.length > LIMITS.renderUrlMaxLength || !/^https?:\/\//i.test(url)) {
      throw badRequest(`url must be an http(s) URL of ${LIMITS.renderUrlMinLength} to ${LIMITS.renderUrlMaxLength} characters`);
    }
    const maxDuration = optInt(body, 'maxDuration', LIMITS.renderMaxDurationMin, LIMITS.renderMaxDurationMax) ?? LIMITS.renderMaxDurationDefault;
    const resolution = optEnum(body, 'resolution', RESOLUTIONS) ?? '1280x720';
    const properties = optObject(body, 'properties');
    const name = properties === undefined ? undefined : optString(properties, 'name');
    if (name !== undefined && (name.length < LIMITS.renderNameMinLength || name.length > LIMITS.renderNameMaxLength)) {
      throw badRequest(`properties.name must be ${LIMITS.renderNameMinLength} to ${LIMITS.renderNameMaxLength} characters`);
    }
    const statusCallbackUrl = optString(body, 'statusCallbackUrl');
    if (statusCallbackUrl !== undefined && (statusCallbackUrl.length < LIMITS.statusCallbackUrlMinLength || statusCallbackUrl.length > LIMITS.statusCallbackUrlMaxLength)) {
      throw badRequest(`statusCallbackUrl must be ${LIMITS.statusCallbackUrlMinLength} to ${LIMITS.statusCallbackUrlMaxLength} characters`);
    }
    const s = session(state, sessionId);
    if (s.mediaMode !== 'routed') throw badRequest('Experience Composer needs a routed session');
    const verified = await bodyToken(deps, token, sessionId);
    if (verified.role === 'subscriber') throw badRequest('Invalid token: Experience Composer needs a token with the publisher or moderator role');
    const render = new RenderRec(state, s.id, { url, resolution, maxDuration, name, statusCallbackUrl });
    state.addRender(render);
    render.begin(s);
    sendJson(c.res, 202, render.wire());
  });

  router.add('GET', `${P}/render/:id`, 'render.get', (c) => {
    const r = state.renderById.get(c.params[1]!);
    if (r === undefined) throw notFound('Render not found');
    sendJson(c.res, 200, r.wire());
  });

  router.add('GET', `${P}/render`, 'render.list', (c) => {
    const q = listQuery(c.query);
    const all = q.sessionId === undefined ? state.renders : state.renders.filter((r) => r.sessionId === q.sessionId);
    const { total, items } = pageOf(all, q.offset, q.count);
    sendJson(c.res, 200, { count: total, items: items.map((r) => r.wire()) });
  });

  router.add('DELETE', `${P}/render/:id`, 'render.stop', (c) => {
    const r = state.renderById.get(c.params[1]!);
    // Not found or already stopped: 404 (API.md §5.9).
    if (r === undefined || !r.isActive()) throw notFound('Render not found or already stopped');
    r.stop(state.now(), 'Stop Requested', true);
    sendEmpty(c.res, 204);
  });

  // --- Live captions (§5.10) ----------------------------------------------
  router.add('POST', `${P}/captions`, 'captions.start', async (c) => {
    const body = await c.json();
    const sessionId = reqString(body, 'sessionId');
    const token = reqString(body, 'token');
    const languageCode = optEnum(body, 'languageCode', CAPTION_LANGUAGES) ?? 'en-US';
    const maxDuration = optInt(body, 'maxDuration', LIMITS.captionsMaxDurationMin, LIMITS.captionsMaxDurationMax) ?? LIMITS.captionsMaxDurationDefault;
    const partialCaptions = optBool(body, 'partialCaptions') ?? true;
    const statusCallbackUrl = optString(body, 'statusCallbackUrl');
    if (statusCallbackUrl !== undefined && (statusCallbackUrl.length < LIMITS.statusCallbackUrlMinLength || statusCallbackUrl.length > LIMITS.statusCallbackUrlMaxLength)) {
      throw badRequest(`statusCallbackUrl must be ${LIMITS.statusCallbackUrlMinLength} to ${LIMITS.statusCallbackUrlMaxLength} characters`);
    }
    const s = session(state, sessionId);
    if (s.mediaMode !== 'routed') throw badRequest('Live captions need a routed session');
    await bodyToken(deps, token, sessionId);
    for (const cap of state.captionsById.values()) {
      if (cap.sessionId === s.id && cap.status === 'started') throw conflict('Live captions have already started for this OpenTok Session');
    }
    const captions = new CaptionsRec(state, s.id, languageCode, maxDuration, partialCaptions, statusCallbackUrl);
    state.captionsById.set(captions.id, captions);
    captions.begin();
    sendJson(c.res, 202, { captionsId: captions.id });
  });

  router.add('POST', `${P}/captions/:id/stop`, 'captions.stop', async (c) => {
    await c.json();
    const cap = state.captionsById.get(c.params[1]!);
    if (cap === undefined || cap.status !== 'started') throw notFound('Captions not found or already stopped');
    cap.stop(state.now(), 'Stop Requested');
    sendEmpty(c.res, 202);
  });

  router.add('GET', `${P}/captions/:id`, 'captions.get', (c) => {
    const cap = state.captionsById.get(c.params[1]!);
    if (cap === undefined) throw notFound('Captions not found');
    sendJson(c.res, 200, cap.wire());
  });

  // --- Callback registry (§5.11) ------------------------------------------
  const PAIRS: Record<string, readonly string[]> = {
    connection: ['created', 'destroyed'],
    stream: ['created', 'destroyed'],
    session: ['created', 'destroyed'],
    archive: ['status'],
    broadcast: ['status'],
    sip: ['status'],
    render: ['status'],
    captions: ['status'],
  };

  router.add('POST', `${P}/callback`, 'callback.register', async (c) => {
    const body = await c.json();
    const group = reqString(body, 'group');
    const event = reqString(body, 'event');
    const url = reqString(body, 'url');
    if (!PAIRS[group]?.includes(event)) throw notFound('Callback event not found');
    const entry = { id: randomUUID(), group, event, url, createdAt: state.now() };
    // One registration per group+event: a new one replaces the old (CALLBACKS.md §11).
    state.registry.set(`${group}:${event}`, entry);
    sendJson(c.res, 200, entry);
  });

  router.add('GET', `${P}/callback`, 'callback.list', (c) => {
    sendJson(c.res, 200, [...state.registry.values()]);
  });

  router.add('DELETE', `${P}/callback/:id`, 'callback.unregister', (c) => {
    for (const [key, entry] of state.registry) {
      if (entry.id === c.params[1]) {
        state.registry.delete(key);
        sendEmpty(c.res, 204);
        return;
      }
    }
    throw notFound('Callback not found');
  });
}
