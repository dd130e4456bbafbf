/**
 * The control API under `/_emulator` (issue 3): simulated clients, request counters, faults,
 * the clock, settings and a view of each session. Paths and shapes are a contract other tools
 * depend on; docs/emulator.md describes them.
 */
import { VIDEO_TYPES, type VideoType } from '../client/constants.js';
import { OpenTokTokenError, type TokenRejection } from '../client/errors.js';
import { verifyToken, type TokenVerificationKeys } from '../client/tokens.js';
import type { CallbackDispatcher } from './callbacks.js';
import { type Faults, faultWire, parseFault } from './faults.js';
import { HttpError, badRequest, notFound, sendEmpty, sendJson, type JsonObject } from './http.js';
import type { Handler } from './rest.js';
import type { Router } from './router.js';
import type { ArchiveOutcome, EmulatorState, SessionRec, StreamRec } from './state.js';
import type { Clock, Scheduler } from './time.js';
import { optBool, optEnum, optString } from './validate.js';

export interface Counters {
  total: number;
  byOperation: Map<string, number>;
}

export interface ControlDeps {
  state: () => EmulatorState;
  tokenKeys: TokenVerificationKeys;
  counters: Counters;
  faults: Faults;
  clock: Clock;
  scheduler: Scheduler;
  dispatcher: () => CallbackDispatcher;
  callbackUrl: () => string | null;
  setCallbackUrl: (url: string | null) => void;
  reset: () => void;
  info: () => Record<string, unknown>;
}

/** Malformed or forged tokens are 401 (not authenticated); valid tokens refused for a reason are 403. */
const TOKEN_STATUS: Record<TokenRejection, number> = {
  MALFORMED: 401,
  BAD_SIGNATURE: 401,
  WRONG_PROJECT: 403,
  SESSION_MISMATCH: 403,
  EXPIRED: 403,
  NOT_YET_VALID: 403,
  INVALID_ROLE: 403,
};

const STREAM_REASONS = ['clientDisconnected', 'networkDisconnected', 'mediaStopped', 'forceUnpublished'] as const;
const CONNECTION_REASONS = ['clientDisconnected', 'networkDisconnected'] as const;

function reasonFrom<T extends string>(query: string, allowed: readonly T[]): T {
  const reason = new URLSearchParams(query).get('reason');
  if (reason === null || reason === '') return allowed[0]!;
  if (!allowed.includes(reason as T)) throw badRequest(`reason must be one of ${allowed.join(', ')}`);
  return reason as T;
}

function streamView(st: StreamRec): Record<string, unknown> {
  return {
    streamId: st.id,
    connectionId: st.connectionId,
    sessionId: st.sessionId,
    name: st.name,
    videoType: st.videoType,
    hasAudio: st.hasAudio,
    hasVideo: st.hasVideo,
    audioMuted: st.audioMuted,
    layoutClassList: st.layoutClassList,
    createdAt: st.createdAt,
  };
}

function sessionView(state: EmulatorState, s: SessionRec): Record<string, unknown> {
  const active = <T>(list: Iterable<T>, pick: (x: T) => string | null): string[] => {
    const out: string[] = [];
    for (const x of list) {
      const id = pick(x);
      if (id !== null) out.push(id);
    }
    return out;
  };
  return {
    sessionId: s.id,
    projectId: s.projectId,
    mediaMode: s.mediaMode,
    archiveMode: s.archiveMode,
    e2ee: s.e2ee,
    location: s.location,
    createdAt: s.createdAt,
    connections: [...s.connections.values()].map((c) => ({
      connectionId: c.id,
      kind: c.kind,
      role: c.role,
      data: c.data,
      createdAt: c.createdAt,
      signals: c.signals,
    })),
    streams: [...s.streams.values()].map(streamView),
    forceMute: { active: s.forceMute.active, excludedStreamIds: [...s.forceMute.excluded] },
    activeArchiveIds: active(s.archives, (a) => (a.isActive() ? a.id : null)),
    activeBroadcastIds: active(s.broadcasts, (b) => (b.status === 'started' ? b.id : null)),
    activeRenderIds: active(state.renders, (r) => (r.sessionId === s.id && r.isActive() ? r.id : null)),
    activeCaptionsIds: active(state.captionsById.values(), (c) => (c.sessionId === s.id && c.status === 'started' ? c.id : null)),
    activeSipCallIds: active(state.sipCalls.values(), (c) => (c.sessionId === s.id && c.status === 'active' ? c.id : null)),
  };
}

export function registerControl(router: Router<Handler>, deps: ControlDeps): void {
  const C = '/_emulator';
  const session = (id: string): SessionRec => {
    const s = deps.state().sessions.get(id);
    if (s === undefined) throw notFound('Session not found');
    return s;
  };

  router.add('GET', C, 'control', (c) => sendJson(c.res, 200, deps.info()));

  // --- Simulated clients ----------------------------------------------------
  router.add('POST', `${C}/sessions/:sid/connections`, 'control', async (c) => {
    const body = await c.json();
    const token = body.token;
    if (typeof token !== 'string' || token === '') throw new HttpError(401, 'token is required', { reason: 'MALFORMED' });
    const data = optString(body, 'data');
    const state = deps.state();
    const s = session(c.params[0]!);
    let verified;
    try {
      verified = await verifyToken(token, deps.tokenKeys, { sessionId: s.id, now: new Date(state.now()) });
    } catch (error) {
      if (error instanceof OpenTokTokenError) throw new HttpError(TOKEN_STATUS[error.reason], error.message, { reason: error.reason });
      throw error;
    }
    // The session may have changed while the token was verified; re-read it.
    const live = session(s.id);
    const conn = state.addConnection(live, {
      role: verified.role,
      // Token data is what the platform shows; body data is a fallback for tokens without any.
      data: verified.data ?? data ?? '',
      kind: 'client',
      initialLayoutClassList: verified.initialLayoutClassList,
    });
    sendJson(c.res, 201, { connectionId: conn.id, sessionId: s.id, role: conn.role, data: conn.data, createdAt: conn.createdAt });
  });

  router.add('POST', `${C}/sessions/:sid/connections/:cid/streams`, 'control', async (c) => {
    const body = await c.json();
    const name = optString(body, 'name') ?? '';
    const videoType = optEnum(body, 'videoType', VIDEO_TYPES) ?? 'camera';
    const hasAudio = optBool(body, 'hasAudio') ?? true;
    const hasVideo = optBool(body, 'hasVideo') ?? true;
    const state = deps.state();
    const s = session(c.params[0]!);
    const conn = s.connections.get(c.params[1]!);
    if (conn === undefined) throw notFound('Connection not found');
    if (conn.role === 'subscriber') throw new HttpError(403, 'A subscriber cannot publish', { reason: 'ROLE' });
    const st = state.addStream(s, conn, { name, videoType: videoType as VideoType, hasAudio, hasVideo });
    sendJson(c.res, 201, streamView(st));
  });

  router.add('DELETE', `${C}/sessions/:sid/connections/:cid/streams/:stid`, 'control', (c) => {
    const reason = reasonFrom(c.query, STREAM_REASONS);
    const s = session(c.params[0]!);
    const st = s.streams.get(c.params[2]!);
    if (st === undefined || st.connectionId !== c.params[1]) throw notFound('Stream not found');
    deps.state().removeStream(s, st, reason);
    sendEmpty(c.res, 204);
  });

  router.add('DELETE', `${C}/sessions/:sid/connections/:cid`, 'control', (c) => {
    const reason = reasonFrom(c.query, CONNECTION_REASONS);
    const s = session(c.params[0]!);
    const conn = s.connections.get(c.params[1]!);
    if (conn === undefined) throw notFound('Connection not found');
    deps.state().removeConnection(s, conn, reason);
    sendEmpty(c.res, 204);
  });

  router.add('GET', `${C}/sessions/:sid`, 'control', (c) => {
    sendJson(c.res, 200, sessionView(deps.state(), session(c.params[0]!)));
  });

  router.add('GET', `${C}/sessions`, 'control', (c) => {
    const state = deps.state();
    sendJson(c.res, 200, { count: state.sessions.size, items: [...state.sessions.values()].map((s) => sessionView(state, s)) });
  });

  // --- Counters and reset ---------------------------------------------------
  router.add('GET', `${C}/requests`, 'control', (c) => {
    sendJson(c.res, 200, { total: deps.counters.total, byOperation: Object.fromEntries(deps.counters.byOperation) });
  });

  router.add('POST', `${C}/reset`, 'control', async (c) => {
    await c.json();
    deps.reset();
    sendEmpty(c.res, 204);
  });

  // --- Faults -----------------------------------------------------------------
  router.add('POST', `${C}/faults`, 'control', async (c) => {
    const fault = parseFault(await c.json());
    deps.faults.add(fault);
    sendJson(c.res, 201, faultWire(fault));
  });

  router.add('GET', `${C}/faults`, 'control', (c) => {
    sendJson(c.res, 200, deps.faults.all().map(faultWire));
  });

  router.add('DELETE', `${C}/faults`, 'control', (c) => {
    deps.faults.clear();
    sendEmpty(c.res, 204);
  });

  // --- Clock ------------------------------------------------------------------
  const clockView = (): Record<string, unknown> => ({ now: deps.clock.now(), offsetMs: deps.clock.offset });

  router.add('POST', `${C}/clock`, 'control', async (c) => {
    const body = await c.json();
    const ms = body.advanceMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw badRequest('advanceMs must be a non-negative number of milliseconds');
    deps.clock.advance(ms);
    // Everything that became due runs now, in deadline order (callbacks queue up in that order).
    deps.scheduler.runDue();
    sendJson(c.res, 200, clockView());
  });

  router.add('GET', `${C}/clock`, 'control', (c) => sendJson(c.res, 200, clockView()));

  // --- Settings and callbacks ---------------------------------------------------
  const settingsView = (): Record<string, unknown> => {
    const state = deps.state();
    const retry = deps.dispatcher().retry;
    return {
      callbackUrl: deps.callbackUrl(),
      stoppedToAvailableMs: state.settings.stoppedToAvailableMs,
      archiveOutcome: state.settings.archiveOutcome,
      callbackRetry: { ...retry },
    };
  };

  router.add('GET', `${C}/settings`, 'control', (c) => sendJson(c.res, 200, settingsView()));

  router.add('PUT', `${C}/settings`, 'control', async (c) => {
    const body: JsonObject = await c.json();
    const state = deps.state();
    const outcome = optEnum(body, 'archiveOutcome', ['available', 'uploaded', 'failed'] as const);
    const s2a = body.stoppedToAvailableMs;
    if (s2a !== undefined && (typeof s2a !== 'number' || !Number.isFinite(s2a) || s2a < 0)) throw badRequest('stoppedToAvailableMs must be a non-negative number');
    const url = body.callbackUrl;
    if (url !== undefined && url !== null && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))) throw badRequest('callbackUrl must be an http(s) URL or null');
    const retry = body.callbackRetry;
    const retryPatch: Record<string, number> = {};
    if (retry !== undefined) {
      if (retry === null || typeof retry !== 'object' || Array.isArray(retry)) throw badRequest('callbackRetry must be an object');
      for (const key of ['baseMs', 'maxMs', 'giveUpMs', 'timeoutMs'] as const) {
        const v = (retry as JsonObject)[key];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest(`callbackRetry.${key} must be a non-negative number`);
        retryPatch[key] = v;
      }
    }
    if (outcome !== undefined) state.settings.archiveOutcome = outcome as ArchiveOutcome;
    if (typeof s2a === 'number') state.settings.stoppedToAvailableMs = s2a;
    if (url !== undefined) deps.setCallbackUrl(url as string | null);
    Object.assign(deps.dispatcher().retry, retryPatch);
    sendJson(c.res, 200, settingsView());
  });

  router.add('GET', `${C}/callbacks`, 'control', (c) => sendJson(c.res, 200, { ...deps.dispatcher().stats }));

  // --- Media: what archive and HLS URLs point to ------------------------------
  router.add('GET', `${C}/media/:project/:id/:file`, 'control', (c) => {
    const [, id, file] = c.params as [string, string, string];
    if (file === 'playlist.m3u8') {
      const b = deps.state().broadcastById.get(id.replace(/\.smil$/, ''));
      if (b === undefined || b.status !== 'started') throw notFound('Playlist not found');
      const text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n';
      c.res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'content-length': Buffer.byteLength(text) });
      c.res.end(text);
      return;
    }
    const archive = deps.state().archiveById.get(id);
    if (archive === undefined || archive.status !== 'available') throw notFound('Archive file not found');
    // A placeholder file: the emulator records nothing, but downloads must work end to end.
    const bytes = Buffer.alloc(Math.min(archive.size, 4096));
    c.res.writeHead(200, { 'content-type': file.endsWith('.zip') ? 'application/zip' : 'video/mp4', 'content-length': bytes.length });
    c.res.end(bytes);
  });
}
