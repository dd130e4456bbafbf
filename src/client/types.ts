/**
 * Wire types of the OpenTok REST API and the option types of the client's operations.
 *
 * This is the single source of truth for data shapes: the GraphQL schema maps these,
 * the emulator produces these. Objects are the *parsed* form the client returns:
 * camelCase as on the wire, timestamps in epoch milliseconds, durations in seconds,
 * sizes in bytes, `projectId` normalised to a string (the wire has projectId, partnerId
 * or applicationId). Unknown wire fields are tolerated and dropped.
 */
import type {
  ArchiveMode,
  ArchiveStatus,
  AudioRate,
  BroadcastStatus,
  CallbackGroup,
  CaptionLanguage,
  CaptionsStatus,
  HlsStatus,
  LayoutType,
  MediaMode,
  OutputMode,
  RenderStatus,
  Resolution,
  Role,
  RtmpStatus,
  ScreenshareLayoutType,
  StreamMode,
  TokenType,
  VideoType,
} from './constants.js';

// The closed-set types are declared in constants.ts; re-exported so importers of the wire types find them here too.
export type {
  ArchiveMode,
  ArchiveStatus,
  AudioRate,
  BroadcastStatus,
  CallbackGroup,
  CaptionLanguage,
  CaptionsStatus,
  HlsStatus,
  LayoutType,
  MediaMode,
  OutputMode,
  RenderStatus,
  Resolution,
  Role,
  RtmpStatus,
  ScreenshareLayoutType,
  StreamMode,
  TokenType,
  VideoType,
} from './constants.js';

// ---------------------------------------------------------------------------
// Shared shapes

/** One page of a list operation. `totalCount` is the server's `count`: all matches, not the page size. */
export interface Page<T> {
  items: T[];
  totalCount: number;
}

export interface ListOptions {
  /** 0 = most recent. */
  offset?: number;
  /** 0..1000, default 50. */
  count?: number;
}

export interface SessionListOptions extends ListOptions {
  sessionId?: string;
}

export interface IterateOptions {
  /** Items fetched per request (1..1000, default 100). */
  pageSize?: number;
  sessionId?: string;
}

export interface Layout {
  type: LayoutType;
  /** Required with `custom`, not allowed otherwise. */
  stylesheet?: string;
  /** Only with `type: bestFit`. */
  screenshareType?: ScreenshareLayoutType;
}

/** A stream included in a manual-stream-mode archive or broadcast. */
export interface IncludedStream {
  streamId: string;
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface StreamSelection {
  hasAudio?: boolean;
  hasVideo?: boolean;
}

/** Per-call options accepted by every client operation. */
export interface CallOptions {
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------
// Sessions

export interface CreateSessionOptions {
  /** Default `routed` (as the REST API and the Vonage SDK; the legacy SDKs defaulted to relayed). */
  mediaMode?: MediaMode;
  archiveMode?: ArchiveMode;
  /** Only with `archiveMode: always`; ≤ 80 characters. */
  archiveName?: string;
  /** Only with `archiveMode: always`. */
  archiveResolution?: Resolution;
  /** An IPv4 address used as a location hint. */
  location?: string;
  /** End-to-end encryption; needs routed media and manual archiving. */
  e2ee?: boolean;
}

export interface Session {
  sessionId: string;
  mediaMode: MediaMode;
  archiveMode: ArchiveMode;
  location: string | null;
  e2ee: boolean;
  archiveName?: string;
  archiveResolution?: Resolution;
  /** The server's `create_dt`, as it sent it. */
  createDt?: string;
}

// ---------------------------------------------------------------------------
// Client tokens

export interface TokenOptions {
  role?: Role;
  /** Expiry as epoch seconds or a Date; default 24 h, at most 30 days ahead. */
  expireTime?: number | Date;
  /** Connection data delivered to other clients; < 1000 characters. */
  data?: string;
  initialLayoutClassList?: string[] | string;
  /** `JWT` (default) or the legacy `T1` format. Ignored in Vonage mode (always RS256 JWT). */
  tokenType?: TokenType;
}

/** What a verified client token says. */
export interface VerifiedToken {
  format: 'T1' | 'JWT' | 'VONAGE';
  /** API key or Vonage application id. */
  projectId: string;
  sessionId: string;
  role: Role;
  /** Epoch seconds, or null when the token carries no expiry. */
  expireTime: number | null;
  /** Epoch seconds. */
  issuedAt: number | null;
  data: string | null;
  initialLayoutClassList: string[];
}

// ---------------------------------------------------------------------------
// Archives

export interface TranscriptionProperties {
  primaryLanguageCode?: string;
  hasSummary?: boolean;
}

export interface StartArchiveOptions {
  name?: string;
  hasAudio?: boolean;
  hasVideo?: boolean;
  outputMode?: OutputMode;
  /** Composed only. */
  resolution?: Resolution;
  /** Composed only. */
  layout?: Layout;
  streamMode?: StreamMode;
  multiArchiveTag?: string;
  /** 100 000–6 000 000, composed only; exclusive with quantizationParameter. */
  maxBitrate?: number;
  /** 15–40; exclusive with maxBitrate. */
  quantizationParameter?: number;
  hasTranscription?: boolean;
  transcriptionProperties?: TranscriptionProperties;
}

export interface Archive {
  id: string;
  status: ArchiveStatus;
  name: string | null;
  reason: string;
  sessionId: string;
  projectId: string;
  createdAt: number;
  updatedAt: number | null;
  size: number;
  duration: number;
  outputMode: OutputMode;
  hasAudio: boolean;
  hasVideo: boolean;
  resolution: Resolution | null;
  streamMode: StreamMode;
  streams: IncludedStream[];
  url: string | null;
  /** Only echoed by the start response. */
  multiArchiveTag: string | null;
  maxBitrate: number | null;
  quantizationParameter: number | null;
  hasTranscription: boolean;
  transcriptionProperties: TranscriptionProperties | null;
  sha256sum: string | null;
}

// ---------------------------------------------------------------------------
// Broadcasts

export interface RtmpTargetInput {
  id?: string;
  /** `rtmp://` or `rtmps://` URL. */
  serverUrl: string;
  streamName: string;
}

export interface BroadcastOutputs {
  hls?: { dvr?: boolean; lowLatency?: boolean };
  /** Up to 5 targets. */
  rtmp?: RtmpTargetInput[];
}

export interface StartBroadcastOptions {
  outputs: BroadcastOutputs;
  layout?: Layout;
  /** 60–36000 seconds, default 14400. */
  maxDuration?: number;
  maxBitrate?: number;
  resolution?: Resolution;
  streamMode?: StreamMode;
  multiBroadcastTag?: string;
  hasAudio?: boolean;
  hasVideo?: boolean;
}

export interface RtmpTarget {
  id: string | null;
  serverUrl: string;
  streamName: string;
  status: RtmpStatus | null;
}

export interface BroadcastUrls {
  hls: string | null;
  hlsStatus: HlsStatus | null;
  rtmp: RtmpTarget[];
}

export interface Broadcast {
  id: string;
  sessionId: string;
  projectId: string;
  createdAt: number;
  updatedAt: number | null;
  resolution: Resolution;
  status: BroadcastStatus;
  broadcastUrls: BroadcastUrls | null;
  maxDuration: number | null;
  maxBitrate: number | null;
  hasAudio: boolean;
  hasVideo: boolean;
  streamMode: StreamMode;
  streams: IncludedStream[];
  settings: { hls: { lowLatency: boolean; dvr: boolean } | null } | null;
  /** Only echoed by the start response. */
  multiBroadcastTag: string | null;
}

// ---------------------------------------------------------------------------
// Streams and moderation

export interface Stream {
  id: string;
  videoType: VideoType;
  name: string;
  layoutClassList: string[];
}

export interface StreamLayoutClasses {
  id: string;
  layoutClassList: string[];
}

export interface MuteAllOptions {
  excludedStreamIds?: string[];
}

// ---------------------------------------------------------------------------
// Signals

export interface Signal {
  /** ≤ 128 bytes of `[A-Za-z0-9-_~]`. */
  type?: string;
  /** ≤ 8 kB. */
  data: string;
  /** Omit to signal every client in the session. */
  connectionId?: string;
}

// ---------------------------------------------------------------------------
// SIP

export interface DialSipOptions {
  /** `sip:user@host[;transport=tls]`. */
  uri: string;
  from?: string;
  headers?: Record<string, string>;
  auth?: { username: string; password: string };
  secure?: boolean;
  video?: boolean;
  observeForceMute?: boolean;
  streams?: string[];
}

export interface SipCall {
  id: string;
  connectionId: string;
  streamId: string;
}

export interface PlayDtmfOptions {
  /** Omit to play to every client in the session. */
  connectionId?: string;
}

// ---------------------------------------------------------------------------
// Audio Connector

export interface AudioTransport {
  transport?: 'binary' | 'json';
  encoding?: 'base64';
  audioField?: string;
  receiveAudioField?: string;
  staticFields?: Record<string, unknown>;
}

export interface AudioConnectorOptions {
  /** `ws://` or `wss://` URL. */
  uri: string;
  streams?: string[];
  /** Total ≤ 512 bytes. */
  headers?: Record<string, string>;
  audioRate?: AudioRate;
  bidirectional?: boolean;
  audioTransport?: AudioTransport;
}

export interface AudioConnection {
  id: string;
  connectionId: string;
}

// ---------------------------------------------------------------------------
// Experience Composer

export interface StartRenderOptions {
  sessionId: string;
  /** A publisher token for the session. */
  token: string;
  /** 15–2048 characters. */
  url: string;
  /** 60–36000 seconds, default 7200. */
  maxDuration?: number;
  /** Default 1280x720. */
  resolution?: Resolution;
  /** 1–200 characters. */
  name?: string;
  statusCallbackUrl?: string;
}

export interface Render {
  id: string;
  sessionId: string;
  projectId: string;
  createdAt: number;
  updatedAt: number | null;
  url: string;
  resolution: Resolution | null;
  status: RenderStatus;
  streamId: string | null;
  reason: string | null;
  name: string | null;
}

// ---------------------------------------------------------------------------
// Live captions

export interface StartCaptionsOptions {
  languageCode?: CaptionLanguage;
  /** 300–14400 seconds, default 14400. */
  maxDuration?: number;
  partialCaptions?: boolean;
  statusCallbackUrl?: string;
}

export interface CaptionsStarted {
  captionsId: string;
}

export interface CaptionsInfo {
  captionsId: string;
  sessionId: string;
  projectId: string;
  status: CaptionsStatus;
  createdAt: number;
  updatedAt: number | null;
  duration: number | null;
  languageCode: string | null;
  provider: string | null;
  reason: string | null;
}

// ---------------------------------------------------------------------------
// Callback registry

export interface RegisterCallbackOptions {
  group: CallbackGroup;
  event: string;
  url: string;
}

export interface RegisteredCallback {
  id: string;
  group: string;
  event: string;
  url: string;
  createdAt: number;
}

// ---------------------------------------------------------------------------
// The client

export type OpenTokCredentials =
  | { apiKey: string; apiSecret: string }
  | { applicationId: string; privateKey: string };

export interface RetryPolicy {
  /** Attempts after the first, for idempotent requests only. Default 2. */
  retries?: number;
  /** First back-off delay; doubles each attempt, with jitter. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap on any single delay, including a server's Retry-After. Default 5000 ms. */
  maxDelayMs?: number;
}

export type OpenTokClientConfig = OpenTokCredentials & {
  /** Default https://api.opentok.com, or https://video.api.vonage.com in Vonage mode. */
  apiUrl?: string;
  /** Per-attempt timeout. Default 10 000 ms. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  userAgent?: string;
  fetch?: typeof globalThis.fetch;
};

/** One typed, promise-based function for every OpenTok REST operation. */
export interface OpenTokClient {
  readonly mode: 'opentok' | 'vonage';
  /** API key (OpenTok) or application id (Vonage). */
  readonly projectId: string;
  readonly apiUrl: string;

  createSession(options?: CreateSessionOptions, call?: CallOptions): Promise<Session>;
  generateToken(sessionId: string, options?: TokenOptions): string;

  startArchive(sessionId: string, options?: StartArchiveOptions, call?: CallOptions): Promise<Archive>;
  getArchive(archiveId: string, call?: CallOptions): Promise<Archive>;
  listArchives(options?: SessionListOptions, call?: CallOptions): Promise<Page<Archive>>;
  iterateArchives(options?: IterateOptions, call?: CallOptions): AsyncIterable<Archive>;
  stopArchive(archiveId: string, call?: CallOptions): Promise<Archive>;
  deleteArchive(archiveId: string, call?: CallOptions): Promise<void>;
  setArchiveLayout(archiveId: string, layout: Layout, call?: CallOptions): Promise<void>;
  addArchiveStream(archiveId: string, streamId: string, options?: StreamSelection, call?: CallOptions): Promise<void>;
  removeArchiveStream(archiveId: string, streamId: string, call?: CallOptions): Promise<void>;

  startBroadcast(sessionId: string, options: StartBroadcastOptions, call?: CallOptions): Promise<Broadcast>;
  getBroadcast(broadcastId: string, call?: CallOptions): Promise<Broadcast>;
  listBroadcasts(options?: SessionListOptions, call?: CallOptions): Promise<Page<Broadcast>>;
  iterateBroadcasts(options?: IterateOptions, call?: CallOptions): AsyncIterable<Broadcast>;
  stopBroadcast(broadcastId: string, call?: CallOptions): Promise<Broadcast>;
  setBroadcastLayout(broadcastId: string, layout: Layout, call?: CallOptions): Promise<void>;
  addBroadcastStream(broadcastId: string, streamId: string, options?: StreamSelection, call?: CallOptions): Promise<void>;
  removeBroadcastStream(broadcastId: string, streamId: string, call?: CallOptions): Promise<void>;

  getStream(sessionId: string, streamId: string, call?: CallOptions): Promise<Stream>;
  listStreams(sessionId: string, call?: CallOptions): Promise<Page<Stream>>;
  setStreamLayoutClasses(sessionId: string, items: StreamLayoutClasses[], call?: CallOptions): Promise<void>;

  forceDisconnect(sessionId: string, connectionId: string, call?: CallOptions): Promise<void>;
  muteStream(sessionId: string, streamId: string, call?: CallOptions): Promise<void>;
  muteAllStreams(sessionId: string, options?: MuteAllOptions, call?: CallOptions): Promise<void>;
  disableForceMute(sessionId: string, call?: CallOptions): Promise<void>;

  sendSignal(sessionId: string, signal: Signal, call?: CallOptions): Promise<void>;

  dialSip(sessionId: string, token: string, options: DialSipOptions, call?: CallOptions): Promise<SipCall>;
  playDtmf(sessionId: string, digits: string, options?: PlayDtmfOptions, call?: CallOptions): Promise<void>;

  connectAudioStream(sessionId: string, token: string, options: AudioConnectorOptions, call?: CallOptions): Promise<AudioConnection>;
  /** Deprecated upstream ("endpoint no longer works"); force-disconnect the connection instead. */
  stopAudioStream(callId: string, call?: CallOptions): Promise<void>;

  startRender(options: StartRenderOptions, call?: CallOptions): Promise<Render>;
  getRender(renderId: string, call?: CallOptions): Promise<Render>;
  listRenders(options?: ListOptions, call?: CallOptions): Promise<Page<Render>>;
  iterateRenders(options?: Omit<IterateOptions, 'sessionId'>, call?: CallOptions): AsyncIterable<Render>;
  stopRender(renderId: string, call?: CallOptions): Promise<void>;

  startCaptions(sessionId: string, token: string, options?: StartCaptionsOptions, call?: CallOptions): Promise<CaptionsStarted>;
  stopCaptions(captionsId: string, call?: CallOptions): Promise<void>;
  getCaptions(captionsId: string, call?: CallOptions): Promise<CaptionsInfo>;

  registerCallback(options: RegisterCallbackOptions, call?: CallOptions): Promise<RegisteredCallback>;
  listCallbacks(call?: CallOptions): Promise<RegisteredCallback[]>;
  unregisterCallback(callbackId: string, call?: CallOptions): Promise<void>;

  /** Never includes the secret or the private key. */
  toJSON(): Record<string, unknown>;
}
