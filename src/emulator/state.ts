/**
 * The in-memory state of one emulator instance and the platform rules that move it: sessions,
 * connections and streams (the simulated clients), and the state machines of archives,
 * broadcasts, renders, live captions, SIP calls and Audio Connector connections.
 *
 * Nothing here is module-level: every `EmulatorState` is independent, so tests can run several
 * emulators in one process. Rules that depend on time are deadlines on the shared `Scheduler`
 * (see time.ts); rules that depend on events (a stream appears, the last client leaves) are
 * applied at once by the operation that causes them.
 */
import { randomUUID } from 'node:crypto';
import type {
  ArchiveMode,
  ArchiveStatus,
  MediaMode,
  OutputMode,
  Resolution,
  Role,
  RtmpStatus,
  StreamMode,
  VideoType,
  HlsStatus,
  RenderStatus,
  CaptionsStatus,
} from '../client/constants.js';
import { encodeSessionId, formatOpenTokDate } from '../client/session-id.js';
import type { Clock, Scheduler, Timed } from './time.js';
import type { LayoutInput } from './validate.js';

/** Timings of the platform (documented values; see API.md §5 and CALLBACKS.md §4.4). */
export const TIMINGS = {
  /** Archives stop after 4 h of recording (documented maximum). */
  archiveMaxDurationMs: 4 * 3600_000,
  /** A paused archive with clients still connected stops after 60 minutes. */
  archivePausedIdleMs: 60 * 60_000,
  /** Archives and broadcasts stop 60 s after the last client leaves. */
  sessionEmptyStopMs: 60_000,
  /** Vonage-cloud archive copies expire 72 h after creation. */
  archiveRetentionMs: 72 * 3600_000,
  /** Broadcast transcoders need a moment before HLS/RTMP go live. */
  broadcastGoLiveMs: 1000,
  /** Experience Composer: starting → started once the page has loaded. */
  renderStartMs: 1000,
  /** Signals kept per simulated connection for inspection. */
  signalsKeptPerConnection: 1000,
} as const;

export type ConnectionKind = 'client' | 'sip' | 'render' | 'audioConnector';

export interface SignalRecord {
  type: string;
  data: string;
  /** null: sent through the REST API (clients see an empty `from`). */
  from: string | null;
  receivedAt: number;
}

export interface ConnectionRec {
  id: string;
  sessionId: string;
  role: Role;
  data: string;
  createdAt: number;
  kind: ConnectionKind;
  /** Layout classes from the token, given to the streams this connection publishes. */
  initialLayoutClassList: string[];
  signals: SignalRecord[];
  /** The SIP call, render or Audio Connector behind a server-side connection. */
  ownerId: string | null;
}

export interface StreamRec {
  id: string;
  sessionId: string;
  connectionId: string;
  name: string;
  videoType: VideoType | null;
  hasAudio: boolean;
  hasVideo: boolean;
  /** Set by REST force-mute; the publisher's audio is muted until it unmutes (not simulated). */
  audioMuted: boolean;
  layoutClassList: string[];
  createdAt: number;
}

export interface SessionRec {
  id: string;
  projectId: string;
  mediaMode: MediaMode;
  archiveMode: ArchiveMode;
  archiveName: string;
  archiveResolution: Resolution;
  e2ee: boolean;
  location: string | null;
  createdAt: number;
  createDt: string;
  connections: Map<string, ConnectionRec>;
  streams: Map<string, StreamRec>;
  forceMute: { active: boolean; excluded: Set<string> };
  archives: ArchiveRec[];
  broadcasts: BroadcastRec[];
  /** When the last connection left (null while anyone is connected or before anyone came). */
  emptySince: number | null;
  /** Someone has published in this session at least once (stream lookups 404 until then). */
  hadStreams: boolean;
}

/** Where callback events go (callbacks.ts); `key` orders delivery (one queue per session). */
export interface EventSink {
  /** `statusCallbackUrl`: a per-request URL (renders, captions) that gets the event too. */
  emit(key: string, payload: Record<string, unknown>, statusCallbackUrl?: string): void;
}

/** The final state an archive reaches after `stopped` (settable through the control API). */
export type ArchiveOutcome = 'available' | 'uploaded' | 'failed';

export interface Settings {
  stoppedToAvailableMs: number;
  archiveOutcome: ArchiveOutcome;
}

export interface IncludedStreamRec {
  hasAudio: boolean;
  hasVideo: boolean;
}

// ---------------------------------------------------------------------------

export class EmulatorState {
  readonly sessions = new Map<string, SessionRec>();
  /** Every archive, oldest first (lists walk it backwards: newest first). */
  readonly archives: ArchiveRec[] = [];
  readonly archiveById = new Map<string, ArchiveRec>();
  readonly broadcasts: BroadcastRec[] = [];
  readonly broadcastById = new Map<string, BroadcastRec>();
  readonly renders: RenderRec[] = [];
  readonly renderById = new Map<string, RenderRec>();
  readonly captionsById = new Map<string, CaptionsRec>();
  readonly sipCalls = new Map<string, SipCallRec>();
  readonly audioConnectors = new Map<string, AudioConnectorRec>();
  /** Legacy `/callback` registrations keyed by `group:event` (one per pair). */
  readonly registry = new Map<string, RegistryEntry>();
  /** Numeric API keys appear as numbers in archive/broadcast objects (recorded responses). */
  readonly wireProjectId: number | string;

  constructor(
    readonly apiKey: string,
    readonly clock: Clock,
    readonly scheduler: Scheduler,
    readonly events: EventSink,
    readonly settings: Settings,
    /** Base of URLs the emulator hands out (archive downloads, HLS playlists). */
    readonly baseUrl: () => string,
  ) {
    this.wireProjectId = /^\d+$/.test(apiKey) && apiKey.length < 16 ? Number(apiKey) : apiKey;
  }

  now(): number {
    return this.clock.now();
  }

  /** Forgets everything (control API reset); the caller clears the scheduler and callbacks. */
  reset(settings: Settings): void {
    this.sessions.clear();
    this.archives.length = 0;
    this.archiveById.clear();
    this.broadcasts.length = 0;
    this.broadcastById.clear();
    this.renders.length = 0;
    this.renderById.clear();
    this.captionsById.clear();
    this.sipCalls.clear();
    this.audioConnectors.clear();
    this.registry.clear();
    Object.assign(this.settings, settings);
  }

  // -------------------------------------------------------------------------
  // Sessions, connections, streams

  createSession(input: {
    projectId: string;
    mediaMode: MediaMode;
    archiveMode: ArchiveMode;
    archiveName: string;
    archiveResolution: Resolution;
    e2ee: boolean;
    location: string | null;
  }): SessionRec {
    const now = this.now();
    const date = new Date(now);
    const id = encodeSessionId({ projectId: input.projectId, location: input.location, createdAt: date });
    const session: SessionRec = {
      id,
      ...input,
      createdAt: now,
      // The platform's own date style (`Fri Nov 18 15:50:36 PST 2016`), as in the session id.
      createDt: formatOpenTokDate(date),
      connections: new Map(),
      streams: new Map(),
      forceMute: { active: false, excluded: new Set() },
      archives: [],
      broadcasts: [],
      emptySince: null,
      hadStreams: false,
    };
    this.sessions.set(id, session);
    return session;
  }

  private monitoring(session: SessionRec, event: string, extra: Record<string, unknown>, at: number): void {
    // Session-monitoring payloads carry the project id as a string (CALLBACKS.md §3).
    this.events.emit(session.id, { sessionId: session.id, projectId: session.projectId, event, timestamp: at, ...extra });
  }

  connectionWire(c: ConnectionRec): Record<string, unknown> {
    return { id: c.id, createdAt: c.createdAt, data: c.data };
  }

  streamWire(s: StreamRec): Record<string, unknown> {
    const conn = this.sessions.get(s.sessionId)?.connections.get(s.connectionId);
    const wire: Record<string, unknown> = {
      id: s.id,
      connection: conn ? this.connectionWire(conn) : { id: s.connectionId, createdAt: s.createdAt, data: '' },
      createdAt: s.createdAt,
      name: s.name,
    };
    // videoType is omitted for audio-only streams (CALLBACKS.md §3.5).
    if (s.videoType !== null && s.hasVideo) wire.videoType = s.videoType;
    return wire;
  }

  addConnection(
    session: SessionRec,
    input: { role: Role; data: string; kind: ConnectionKind; initialLayoutClassList?: string[]; ownerId?: string | null },
  ): ConnectionRec {
    const now = this.now();
    const first = session.connections.size === 0;
    const conn: ConnectionRec = {
      id: randomUUID(),
      sessionId: session.id,
      role: input.role,
      data: input.data,
      createdAt: now,
      kind: input.kind,
      initialLayoutClassList: input.initialLayoutClassList ?? [],
      signals: [],
      ownerId: input.ownerId ?? null,
    };
    session.connections.set(conn.id, conn);
    session.emptySince = null;
    if (first) this.monitoring(session, 'sessionCreated', {}, now);
    this.monitoring(session, 'connectionCreated', { connection: this.connectionWire(conn) }, now);
    if (first && session.archiveMode === 'always' && !session.archives.some((a) => a.isActive() && a.auto)) {
      this.startAutoArchive(session);
    }
    this.sessionChanged(session);
    return conn;
  }

  addStream(
    session: SessionRec,
    conn: ConnectionRec,
    input: { name: string; videoType: VideoType | null; hasAudio: boolean; hasVideo: boolean },
  ): StreamRec {
    const now = this.now();
    const stream: StreamRec = {
      id: randomUUID(),
      sessionId: session.id,
      connectionId: conn.id,
      name: input.name,
      videoType: input.videoType,
      hasAudio: input.hasAudio,
      hasVideo: input.hasVideo,
      audioMuted: false,
      layoutClassList: [...conn.initialLayoutClassList],
      createdAt: now,
    };
    session.streams.set(stream.id, stream);
    session.hadStreams = true;
    // Force-mute-all applies to streams published later too, except excluded ones.
    if (session.forceMute.active && !session.forceMute.excluded.has(stream.id)) this.forceMute(session, stream);
    this.monitoring(session, 'streamCreated', { stream: this.streamWire(stream) }, now);
    this.sessionChanged(session);
    return stream;
  }

  removeStream(session: SessionRec, stream: StreamRec, reason: string): void {
    if (!session.streams.delete(stream.id)) return;
    const now = this.now();
    for (const a of session.archives) a.forgetStream(stream.id, now);
    for (const b of session.broadcasts) b.forgetStream(stream.id);
    this.monitoring(session, 'streamDestroyed', { reason, stream: this.streamWire(stream) }, now);
    this.sessionChanged(session);
  }

  /** A connection leaves: its streams go first, then the server-side service behind it ends. */
  removeConnection(session: SessionRec, conn: ConnectionRec, reason: string): void {
    if (!session.connections.has(conn.id)) return;
    for (const stream of [...session.streams.values()]) {
      if (stream.connectionId === conn.id) this.removeStream(session, stream, reason);
    }
    session.connections.delete(conn.id);
    const now = this.now();
    this.monitoring(session, 'connectionDestroyed', { reason, connection: this.connectionWire(conn) }, now);
    if (conn.ownerId !== null) this.endOwner(conn, reason);
    if (session.connections.size === 0) {
      session.emptySince = now;
      this.monitoring(session, 'sessionDestroyed', {}, now);
    }
    this.sessionChanged(session);
  }

  private endOwner(conn: ConnectionRec, reason: string): void {
    const id = conn.ownerId!;
    if (conn.kind === 'sip') {
      const call = this.sipCalls.get(id);
      if (call !== undefined && call.status === 'active') call.end();
    } else if (conn.kind === 'render') {
      const render = this.renderById.get(id);
      if (render !== undefined && render.isActive()) render.stop(this.now(), 'Stop Requested', false);
    } else if (conn.kind === 'audioConnector') {
      this.audioConnectors.get(id)?.ended(this.now());
    }
  }

  /** Re-evaluates event-driven rules after connections or streams changed. */
  private sessionChanged(session: SessionRec): void {
    const now = this.now();
    for (const a of session.archives) if (a.isActive()) a.sessionChanged(now);
    for (const b of session.broadcasts) if (b.status === 'started') b.sessionChanged(now);
  }

  /** An always-archived session records from its first connection (API.md §5.1). */
  private startAutoArchive(session: SessionRec): void {
    const archive = new ArchiveRec(this, session, {
      name: session.archiveName.replace(/[~\-_]/g, ':'),
      hasAudio: true,
      hasVideo: true,
      outputMode: 'composed',
      resolution: session.archiveResolution,
      streamMode: 'auto',
      layout: { type: 'bestFit' },
      multiArchiveTag: undefined,
      maxBitrate: undefined,
      quantizationParameter: undefined,
      hasTranscription: false,
      transcriptionProperties: undefined,
    });
    archive.auto = true;
    this.addArchive(session, archive);
  }

  addArchive(session: SessionRec, archive: ArchiveRec): void {
    this.archives.push(archive);
    this.archiveById.set(archive.id, archive);
    session.archives.push(archive);
    archive.begin(this.now());
  }

  deleteArchive(archive: ArchiveRec): void {
    this.archiveById.delete(archive.id);
    removeFrom(this.archives, archive);
    const session = this.sessions.get(archive.sessionId);
    if (session !== undefined) removeFrom(session.archives, archive);
    archive.status = 'deleted';
    this.scheduler.schedule(archive, Infinity);
  }

  addBroadcast(session: SessionRec, broadcast: BroadcastRec): void {
    this.broadcasts.push(broadcast);
    this.broadcastById.set(broadcast.id, broadcast);
    session.broadcasts.push(broadcast);
    broadcast.begin(this.now());
  }

  addRender(render: RenderRec): void {
    this.renders.push(render);
    this.renderById.set(render.id, render);
  }

  /** Force-mutes a stream; a SIP leg that observes force-mute is told (CALLBACKS.md §8). */
  forceMute(session: SessionRec, stream: StreamRec): void {
    const wasMuted = stream.audioMuted;
    stream.audioMuted = true;
    if (wasMuted) return;
    const conn = session.connections.get(stream.connectionId);
    if (conn?.kind === 'sip' && conn.ownerId !== null) this.sipCalls.get(conn.ownerId)?.muteForced();
  }

  /** Records a signal on each target connection (inspected through the control API). */
  deliverSignal(targets: Iterable<ConnectionRec>, type: string, data: string): void {
    const now = this.now();
    for (const conn of targets) {
      conn.signals.push({ type, data, from: null, receivedAt: now });
      if (conn.signals.length > TIMINGS.signalsKeptPerConnection) conn.signals.shift();
    }
  }

  /** Registry URLs for a session-monitoring or archive event (legacy `/callback` API). */
  registryUrl(group: string, event: string): string | undefined {
    return this.registry.get(`${group}:${event}`)?.url;
  }
}

export interface RegistryEntry {
  id: string;
  group: string;
  event: string;
  url: string;
  createdAt: number;
}

function removeFrom<T>(list: T[], item: T): void {
  const i = list.lastIndexOf(item);
  if (i >= 0) list.splice(i, 1);
}

// ---------------------------------------------------------------------------
// Archives

export interface ArchiveInput {
  name: string;
  hasAudio: boolean;
  hasVideo: boolean;
  outputMode: OutputMode;
  resolution: Resolution;
  streamMode: StreamMode;
  layout: LayoutInput;
  multiArchiveTag: string | undefined;
  maxBitrate: number | undefined;
  quantizationParameter: number | undefined;
  hasTranscription: boolean;
  transcriptionProperties: { primaryLanguageCode: string; hasSummary: boolean } | undefined;
}

/**
 * started ⇄ paused (nobody publishing) → stopped (stop call, 4 h, 60 min idle while paused,
 * 60 s after everyone left) → available | uploaded | failed (after `stoppedToAvailableMs`)
 * → expired (72 h after creation, cloud copies only). `deleted` records leave the store.
 */
export class ArchiveRec implements Timed {
  readonly id = randomUUID();
  nextAt = Infinity;
  status: ArchiveStatus = 'started';
  reason = '';
  createdAt: number;
  updatedAt: number;
  size = 0;
  duration = 0;
  url: string | null = null;
  /** Started automatically by an always-archived session. */
  auto = false;
  readonly included = new Map<string, IncludedStreamRec>();
  layout: LayoutInput;
  private recordedMs = 0;
  private segmentStart: number | null = null;
  private pausedAt = 0;
  private stoppedAt = 0;
  /** Serialised GET/list form, rebuilt only after a change (hot read path). */
  private json: string | null = null;
  readonly sessionId: string;

  constructor(
    private readonly state: EmulatorState,
    session: SessionRec,
    readonly input: ArchiveInput,
  ) {
    this.sessionId = session.id;
    this.createdAt = state.now();
    this.updatedAt = this.createdAt;
    this.layout = input.layout;
  }

  isActive(): boolean {
    return this.status === 'started' || this.status === 'paused';
  }

  private session(): SessionRec | undefined {
    return this.state.sessions.get(this.sessionId);
  }

  private publishing(): boolean {
    const session = this.session();
    return session !== undefined && session.streams.size > 0;
  }

  private changed(at: number, notify = true): void {
    this.updatedAt = at;
    this.json = null;
    if (notify) this.notify(at);
  }

  /** Archive callbacks fire on every status change (CALLBACKS.md §4). */
  private notify(at: number): void {
    this.state.events.emit(this.sessionId, { ...this.wire(), event: 'archive', updatedAt: at, createdAt: Math.floor(this.createdAt / 1000) * 1000 });
  }

  begin(now: number): void {
    this.segmentStart = now;
    this.notify(now);
    // Nobody publishing yet: nothing is recorded until someone does.
    if (!this.publishing()) this.pause(now);
    this.reschedule();
  }

  private pause(at: number): void {
    if (this.segmentStart !== null) this.recordedMs += at - this.segmentStart;
    this.segmentStart = null;
    this.status = 'paused';
    this.pausedAt = at;
    this.changed(at);
  }

  private resume(at: number): void {
    this.status = 'started';
    this.segmentStart = at;
    this.changed(at);
  }

  sessionChanged(now: number): void {
    if (this.status === 'started' && !this.publishing()) this.pause(now);
    else if (this.status === 'paused' && this.publishing()) this.resume(now);
    this.reschedule();
  }

  forgetStream(streamId: string, now: number): void {
    if (this.included.delete(streamId)) this.changed(now, false);
  }

  /** After a PATCH of the included streams: refresh the cached representation. */
  streamsChanged(now: number): void {
    this.changed(now, false);
  }

  stop(at: number, reason: string): void {
    if (this.segmentStart !== null) this.recordedMs += at - this.segmentStart;
    this.segmentStart = null;
    this.status = 'stopped';
    this.reason = reason;
    this.stoppedAt = at;
    this.included.clear();
    this.changed(at);
    this.reschedule();
  }

  /** The deadline of the current status, and what happens then. */
  private deadline(): number {
    switch (this.status) {
      case 'started':
        return this.createdAt + TIMINGS.archiveMaxDurationMs;
      case 'paused': {
        const session = this.session();
        const idle = session !== undefined && session.connections.size === 0 && session.emptySince !== null
          ? Math.max(session.emptySince, this.pausedAt) + TIMINGS.sessionEmptyStopMs
          : this.pausedAt + TIMINGS.archivePausedIdleMs;
        return Math.min(idle, this.createdAt + TIMINGS.archiveMaxDurationMs);
      }
      case 'stopped':
        return this.stoppedAt + this.state.settings.stoppedToAvailableMs;
      case 'available':
        return this.createdAt + TIMINGS.archiveRetentionMs;
      default:
        return Infinity;
    }
  }

  reschedule(): void {
    this.state.scheduler.schedule(this, this.deadline());
  }

  fire(at: number): void {
    switch (this.status) {
      case 'started':
        this.stop(at, 'maximum duration exceeded');
        return;
      case 'paused': {
        const session = this.session();
        const empty = session !== undefined && session.connections.size === 0;
        const maxed = at >= this.createdAt + TIMINGS.archiveMaxDurationMs;
        this.stop(at, maxed ? 'maximum duration exceeded' : empty ? 'session ended' : 'maximum idle time exceeded');
        return;
      }
      case 'stopped':
        this.finish(at);
        return;
      case 'available':
        this.status = 'expired';
        this.url = null;
        this.changed(at);
        return;
      default:
    }
  }

  private finish(at: number): void {
    const outcome = this.state.settings.archiveOutcome;
    this.duration = Math.round(this.recordedMs / 1000);
    if (outcome === 'failed') {
      this.status = 'failed';
      this.reason = 'failure';
      this.changed(at);
      return;
    }
    // A plausible file size: ~1 Mbit/s of composed video, 32 kbit/s of audio, plus a header.
    const bytesPerSecond = (this.input.hasVideo ? 125_000 : 0) + (this.input.hasAudio ? 4_000 : 0);
    this.size = 1024 + this.duration * bytesPerSecond;
    this.status = outcome;
    if (outcome === 'available') {
      const file = this.input.outputMode === 'individual' ? 'archive.zip' : 'archive.mp4';
      this.url = `${this.state.baseUrl()}/_emulator/media/${this.state.apiKey}/${this.id}/${file}?Expires=${Math.floor((at + 600_000) / 1000)}`;
    }
    this.changed(at);
    this.reschedule();
  }

  wire(): Record<string, unknown> {
    const pid = this.state.wireProjectId;
    const w: Record<string, unknown> = {
      id: this.id,
      status: this.status,
      name: this.input.name,
      reason: this.reason,
      sessionId: this.sessionId,
      projectId: pid,
      partnerId: pid,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      size: this.size,
      duration: this.duration,
      outputMode: this.input.outputMode,
      hasAudio: this.input.hasAudio,
      hasVideo: this.input.hasVideo,
    };
    if (this.input.outputMode === 'composed') w.resolution = this.input.resolution;
    w.streamMode = this.input.streamMode;
    w.streams = this.input.streamMode === 'manual' && this.isActive()
      ? [...this.included].map(([streamId, s]) => ({ streamId, hasAudio: s.hasAudio, hasVideo: s.hasVideo }))
      : [];
    w.url = this.url;
    w.sha256sum = '';
    w.password = '';
    if (this.input.maxBitrate !== undefined) w.maxBitrate = this.input.maxBitrate;
    if (this.input.quantizationParameter !== undefined) w.quantizationParameter = this.input.quantizationParameter;
    if (this.input.hasTranscription) {
      w.hasTranscription = true;
      const tp = this.input.transcriptionProperties ?? { primaryLanguageCode: 'en-US', hasSummary: false };
      const done = this.status === 'available' || this.status === 'uploaded' || this.status === 'expired';
      w.transcriptionProperties = { primaryLanguageCode: tp.primaryLanguageCode, hasSummary: tp.hasSummary };
      w.transcription = {
        status: done ? this.status === 'uploaded' ? 'uploaded' : 'available' : this.status === 'failed' ? 'failed' : 'requested',
        url: done && this.url !== null ? this.url.replace(/archive\.(mp4|zip)/, 'transcription.zip') : '',
        reason: '',
        primaryLanguageCode: tp.primaryLanguageCode,
        hasSummary: tp.hasSummary,
      };
    }
    return w;
  }

  /** The GET/list representation (never carries `multiArchiveTag`, API.md §8 item 6). */
  toJson(): string {
    return (this.json ??= JSON.stringify(this.wire()));
  }

  /** The start response echoes the tag. */
  startResponse(): Record<string, unknown> {
    const w = this.wire();
    // The start response always reports `started` (Node's SDK rejects anything else).
    w.status = 'started';
    if (this.input.multiArchiveTag !== undefined) w.multiArchiveTag = this.input.multiArchiveTag;
    return w;
  }
}

// ---------------------------------------------------------------------------
// Broadcasts

export interface RtmpTarget {
  id: string;
  serverUrl: string;
  streamName: string;
  status: RtmpStatus;
}

export interface BroadcastInput {
  hls: { dvr: boolean; lowLatency: boolean } | null;
  rtmp: { id: string; serverUrl: string; streamName: string }[];
  resolution: Resolution;
  maxDuration: number;
  maxBitrate: number | undefined;
  hasAudio: boolean;
  hasVideo: boolean;
  streamMode: StreamMode;
  layout: LayoutInput;
  multiBroadcastTag: string | undefined;
}

/** started (HLS connecting → live, RTMP connecting → live once someone publishes) → stopped. */
export class BroadcastRec implements Timed {
  readonly id = randomUUID();
  nextAt = Infinity;
  status: 'started' | 'stopped' = 'started';
  createdAt: number;
  updatedAt: number;
  hlsStatus: HlsStatus = 'connecting';
  readonly rtmp: RtmpTarget[];
  readonly included = new Map<string, IncludedStreamRec>();
  layout: LayoutInput;
  private liveAt = Infinity;
  /** Media is going out (someone published and the transcoders are up). */
  private flowing = false;
  readonly sessionId: string;

  constructor(
    private readonly state: EmulatorState,
    session: SessionRec,
    readonly input: BroadcastInput,
  ) {
    this.sessionId = session.id;
    this.createdAt = state.now();
    this.updatedAt = this.createdAt;
    this.layout = input.layout;
    this.rtmp = input.rtmp.map((r) => ({ ...r, status: 'connecting' as RtmpStatus }));
  }

  private session(): SessionRec | undefined {
    return this.state.sessions.get(this.sessionId);
  }

  begin(now: number): void {
    this.notify(now);
    this.sessionChanged(now);
  }

  private notify(at: number): void {
    this.updatedAt = at;
    this.state.events.emit(this.sessionId, this.wire());
  }

  /**
   * Goes live a moment after someone publishes. RTMP targets fall back to `connecting` while
   * nothing is published (the documented meaning of that status); HLS stays live.
   */
  sessionChanged(now: number): void {
    const publishing = (this.session()?.streams.size ?? 0) > 0;
    if (publishing) {
      if (!this.flowing && this.liveAt === Infinity) this.liveAt = now + TIMINGS.broadcastGoLiveMs;
    } else {
      this.liveAt = Infinity;
      if (this.flowing) {
        this.flowing = false;
        for (const r of this.rtmp) r.status = 'connecting';
        if (this.rtmp.length > 0) this.notify(now);
      }
    }
    this.reschedule();
  }

  forgetStream(streamId: string): void {
    this.included.delete(streamId);
  }

  private emptyStopAt(): number {
    const session = this.session();
    return session !== undefined && session.connections.size === 0 && session.emptySince !== null
      ? session.emptySince + TIMINGS.sessionEmptyStopMs
      : Infinity;
  }

  private deadline(): number {
    if (this.status !== 'started') return Infinity;
    return Math.min(this.liveAt, this.createdAt + this.input.maxDuration * 1000, this.emptyStopAt());
  }

  reschedule(): void {
    this.state.scheduler.schedule(this, this.deadline());
  }

  fire(at: number): void {
    if (this.status !== 'started') return;
    // maxDuration and "60 s after the last client left" end it; otherwise media starts flowing.
    if (at >= this.createdAt + this.input.maxDuration * 1000 || at >= this.emptyStopAt()) {
      this.stop(at);
      return;
    }
    if (at >= this.liveAt) {
      this.liveAt = Infinity;
      this.flowing = true;
      if (this.input.hls !== null) this.hlsStatus = 'live';
      for (const r of this.rtmp) r.status = 'live';
      this.notify(at);
    }
    this.reschedule();
  }

  stop(at: number): void {
    this.status = 'stopped';
    this.liveAt = Infinity;
    this.flowing = false;
    if (this.input.hls !== null) this.hlsStatus = 'ended';
    for (const r of this.rtmp) r.status = 'offline';
    this.included.clear();
    this.notify(at);
    this.reschedule();
  }

  wire(): Record<string, unknown> {
    const pid = this.state.wireProjectId;
    let urls: Record<string, unknown> | null = null;
    // A stopped broadcast reports no URLs (recorded stop response: `"broadcastUrls": null`).
    if (this.status === 'started') {
      urls = {};
      if (this.input.hls !== null) {
        const dvr = this.input.hls.dvr ? '?DVR' : '';
        urls.hls = `${this.state.baseUrl()}/_emulator/media/${this.state.apiKey}/${this.id}.smil/playlist.m3u8${dvr}`;
        urls.hlsStatus = this.hlsStatus;
      }
      if (this.rtmp.length > 0) urls.rtmp = this.rtmp.map((r) => ({ ...r }));
    }
    const w: Record<string, unknown> = {
      id: this.id,
      sessionId: this.sessionId,
      projectId: pid,
      partnerId: pid,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      broadcastUrls: urls,
      status: this.status,
      maxDuration: this.input.maxDuration,
      resolution: this.input.resolution,
      hasAudio: this.input.hasAudio,
      hasVideo: this.input.hasVideo,
      streamMode: this.input.streamMode,
      streams: this.input.streamMode === 'manual'
        ? [...this.included].map(([streamId, s]) => ({ streamId, hasAudio: s.hasAudio, hasVideo: s.hasVideo }))
        : [],
    };
    if (this.input.maxBitrate !== undefined) w.maxBitrate = this.input.maxBitrate;
    if (this.input.hls !== null) w.settings = { hls: { lowLatency: this.input.hls.lowLatency, dvr: this.input.hls.dvr } };
    w.event = 'broadcast';
    return w;
  }

  startResponse(): Record<string, unknown> {
    const w = this.wire();
    if (this.input.multiBroadcastTag !== undefined) w.multiBroadcastTag = this.input.multiBroadcastTag;
    return w;
  }
}

// ---------------------------------------------------------------------------
// Experience Composer renders

export interface RenderInput {
  url: string;
  resolution: Resolution;
  maxDuration: number;
  name: string | undefined;
  statusCallbackUrl: string | undefined;
}

/** starting → started (page loaded, publishing) → stopped (DELETE or maxDuration). */
export class RenderRec implements Timed {
  readonly id = randomUUID();
  nextAt = Infinity;
  status: RenderStatus = 'starting';
  reason: string | undefined;
  createdAt: number;
  updatedAt: number;
  connectionId: string | null = null;
  streamId: string | null = null;

  constructor(
    private readonly state: EmulatorState,
    readonly sessionId: string,
    readonly input: RenderInput,
  ) {
    this.createdAt = state.now();
    this.updatedAt = this.createdAt;
  }

  isActive(): boolean {
    return this.status === 'starting' || this.status === 'started';
  }

  /** The render joins the session as a publisher right away; its stream id is in the 202 response. */
  begin(session: SessionRec): void {
    const conn = this.state.addConnection(session, { role: 'publisher', data: '', kind: 'render', ownerId: this.id });
    this.connectionId = conn.id;
    const stream = this.state.addStream(session, conn, { name: this.input.name ?? '', videoType: 'camera', hasAudio: true, hasVideo: true });
    this.streamId = stream.id;
    this.reschedule();
  }

  reschedule(): void {
    const at = this.status === 'starting'
      ? this.createdAt + TIMINGS.renderStartMs
      : this.status === 'started' ? this.createdAt + this.input.maxDuration * 1000 : Infinity;
    this.state.scheduler.schedule(this, at);
  }

  fire(at: number): void {
    if (this.status === 'starting' && at < this.createdAt + this.input.maxDuration * 1000) {
      this.status = 'started';
      this.updatedAt = at;
      this.notify();
      this.reschedule();
    } else if (this.isActive()) {
      this.stop(at, 'Max duration exceeded', true);
    }
  }

  /** Stops and, when asked, takes the render's connection out of the session. */
  stop(at: number, reason: string, disconnect: boolean): void {
    this.status = 'stopped';
    this.reason = reason;
    this.updatedAt = at;
    this.state.scheduler.schedule(this, Infinity);
    if (disconnect && this.connectionId !== null) {
      const session = this.state.sessions.get(this.sessionId);
      const conn = session?.connections.get(this.connectionId);
      if (session !== undefined && conn !== undefined) this.state.removeConnection(session, conn, 'clientDisconnected');
    }
    this.notify();
  }

  private notify(): void {
    this.state.events.emit(
      this.sessionId,
      { ...this.wire(), event: `render${this.status[0]!.toUpperCase()}${this.status.slice(1)}` },
      this.input.statusCallbackUrl,
    );
  }

  wire(): Record<string, unknown> {
    const w: Record<string, unknown> = {
      id: this.id,
      sessionId: this.sessionId,
      projectId: this.state.apiKey,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      url: this.input.url,
      resolution: this.input.resolution,
      status: this.status,
    };
    if (this.streamId !== null) w.streamId = this.streamId;
    if (this.input.name !== undefined) w.name = this.input.name;
    if (this.reason !== undefined) w.reason = this.reason;
    if (this.input.statusCallbackUrl !== undefined) w.callbackUrl = this.input.statusCallbackUrl;
    return w;
  }
}

// ---------------------------------------------------------------------------
// Live captions

export class CaptionsRec implements Timed {
  readonly id = randomUUID();
  nextAt = Infinity;
  status: CaptionsStatus = 'started';
  reason = '';
  createdAt: number;
  updatedAt: number;

  constructor(
    private readonly state: EmulatorState,
    readonly sessionId: string,
    readonly languageCode: string,
    readonly maxDuration: number,
    readonly partialCaptions: boolean,
    /** Captions status goes to the URL given in the start request (CALLBACKS.md §7). */
    readonly statusCallbackUrl?: string,
  ) {
    this.createdAt = state.now();
    this.updatedAt = this.createdAt;
  }

  begin(): void {
    this.notify();
    this.state.scheduler.schedule(this, this.createdAt + this.maxDuration * 1000);
  }

  fire(at: number): void {
    if (this.status === 'started') this.stop(at, 'Maximum duration exceeded');
  }

  stop(at: number, reason: string): void {
    this.status = 'stopped';
    this.reason = reason;
    this.updatedAt = at;
    this.state.scheduler.schedule(this, Infinity);
    this.notify();
  }

  private notify(): void {
    this.state.events.emit(this.sessionId, { ...this.wire(), event: 'captions' }, this.statusCallbackUrl);
  }

  wire(): Record<string, unknown> {
    return {
      captionsId: this.id,
      // @vonage/video's type spells it captionId; receivers are told to accept both.
      captionId: this.id,
      projectId: this.state.apiKey,
      sessionId: this.sessionId,
      status: this.status,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      duration: Math.round((this.updatedAt - this.createdAt) / 1000),
      languageCode: this.languageCode,
      provider: 'aws-transcribe',
      reason: this.reason,
    };
  }
}

// ---------------------------------------------------------------------------
// SIP calls and Audio Connector

export interface SipInput {
  uri: string;
  from: string | undefined;
  secure: boolean;
  video: boolean;
  observeForceMute: boolean;
  streams: string[] | undefined;
}

export class SipCallRec {
  readonly id = randomUUID();
  status: 'active' | 'ended' = 'active';
  createdAt: number;
  updatedAt: number;
  connectionId = '';
  streamId = '';

  constructor(
    private readonly state: EmulatorState,
    readonly sessionId: string,
    readonly input: SipInput,
  ) {
    this.createdAt = state.now();
    this.updatedAt = this.createdAt;
  }

  /** The SIP leg joins as a connection publishing one (audio, or audio+video) stream. */
  begin(session: SessionRec, data: string): void {
    const conn = this.state.addConnection(session, { role: 'publisher', data, kind: 'sip', ownerId: this.id });
    this.connectionId = conn.id;
    const stream = this.state.addStream(session, conn, {
      name: this.input.from ?? this.input.uri,
      videoType: this.input.video ? 'camera' : null,
      hasAudio: true,
      hasVideo: this.input.video,
    });
    this.streamId = stream.id;
    this.sip('callCreated', {});
    for (const state of ['DIALING', 'RINGING', 'ACTIVE']) this.sip('callUpdated', { state });
  }

  /** The leg hung up (force disconnect or the far end): a normal clearing either way. */
  end(): void {
    this.status = 'ended';
    this.updatedAt = this.state.now();
    this.sip('callUpdated', { state: 'HANGUP' });
    this.sip('callDestroyed', { reason_code: '700', reason_message: 'Normal Clearing' });
  }

  /** A moderator force-muted this leg's stream; reported only to calls dialled with observeForceMute. */
  muteForced(): void {
    if (this.status === 'active' && this.input.observeForceMute) this.sip('muteForced', {});
  }

  private sip(event: string, extra: Record<string, unknown>): void {
    this.state.events.emit(this.sessionId, {
      sessionId: this.sessionId,
      projectId: this.state.apiKey,
      event,
      ...extra,
      timestamp: this.state.now(),
      call: { id: this.id, connectionId: this.connectionId, createdAt: this.createdAt },
    });
  }

  wire(): Record<string, unknown> {
    return {
      id: this.id,
      projectId: this.state.apiKey,
      sessionId: this.sessionId,
      connectionId: this.connectionId,
      streamId: this.streamId,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }
}

export class AudioConnectorRec {
  readonly id = randomUUID();
  status: 'connected' | 'ended' = 'connected';
  connectionId = '';
  endedAt: number | null = null;

  constructor(
    readonly sessionId: string,
    readonly uri: string,
    readonly streams: string[] | undefined,
    readonly audioRate: number,
    readonly bidirectional: boolean,
  ) {}

  ended(at: number): void {
    this.status = 'ended';
    this.endedAt = at;
  }
}
