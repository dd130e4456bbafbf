/** Live-streaming broadcasts (API.md §5.3): HLS and up to five RTMP targets. */
import type { BroadcastStatus, HlsStatus, Resolution, RtmpStatus, StreamMode } from './constants.js';
import { addStreamBody, layoutBody } from './archives.js';
import {
  asObject,
  defined,
  includedStreams,
  optBoolean,
  optNumber,
  optString,
  paginate,
  parsePage,
  projectIdOf,
  projectPath,
  reqString,
  requestJson,
  requestVoid,
  type RequestContext,
  type Wire,
} from './context.js';
import type {
  Broadcast,
  BroadcastUrls,
  CallOptions,
  IterateOptions,
  Layout,
  Page,
  RtmpTarget,
  SessionListOptions,
  StartBroadcastOptions,
  StreamSelection,
} from './types.js';
import {
  validateId,
  validateIterateOptions,
  validateLayout,
  validateListOptions,
  validateStartBroadcast,
  validateStreamSelection,
} from './validation.js';

/** The JSON body of a start-broadcast request. */
export function startBroadcastBody(sessionId: string, options: StartBroadcastOptions): Record<string, unknown> {
  const { hls, rtmp } = options.outputs;
  return defined({
    sessionId,
    outputs: defined({
      hls: hls === undefined ? undefined : defined({ dvr: hls.dvr, lowLatency: hls.lowLatency }),
      rtmp: rtmp?.map((target) => defined({ id: target.id, serverUrl: target.serverUrl, streamName: target.streamName })),
    }),
    layout: options.layout === undefined ? undefined : layoutBody(options.layout),
    maxDuration: options.maxDuration,
    maxBitrate: options.maxBitrate,
    resolution: options.resolution,
    streamMode: options.streamMode,
    multiBroadcastTag: options.multiBroadcastTag,
    hasAudio: options.hasAudio,
    hasVideo: options.hasVideo,
  });
}

function rtmpTargets(value: unknown): RtmpTarget[] {
  // A hand-made Ruby fixture keys RTMP targets by id instead of listing them; accept both shapes.
  const entries = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  const targets: RtmpTarget[] = [];
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object') continue;
    const wire = entry as Wire;
    targets.push({
      id: optString(wire, 'id'),
      serverUrl: optString(wire, 'serverUrl', 'server_url') ?? '',
      streamName: optString(wire, 'streamName', 'stream_name') ?? '',
      status: optString(wire, 'status') as RtmpStatus | null,
    });
  }
  return targets;
}

function broadcastUrls(value: unknown): BroadcastUrls | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const wire = value as Wire;
  return {
    hls: optString(wire, 'hls'),
    hlsStatus: optString(wire, 'hlsStatus', 'hls_status') as HlsStatus | null,
    rtmp: rtmpTargets(wire.rtmp),
  };
}

function settings(value: unknown): Broadcast['settings'] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const hls = (value as Wire).hls;
  if (hls === null || typeof hls !== 'object' || Array.isArray(hls)) return { hls: null };
  const wire = hls as Wire;
  return { hls: { lowLatency: optBoolean(wire, 'lowLatency', 'low_latency') ?? false, dvr: optBoolean(wire, 'dvr') ?? false } };
}

/** Parses a broadcast object from the wire. */
export function parseBroadcast(wire: Wire, operation: string, fallbackProjectId = ''): Broadcast {
  return {
    id: reqString(wire, operation, 'id'),
    sessionId: optString(wire, 'sessionId', 'session_id') ?? '',
    projectId: projectIdOf(wire, fallbackProjectId),
    createdAt: optNumber(wire, 'createdAt', 'created_at') ?? 0,
    updatedAt: optNumber(wire, 'updatedAt', 'updated_at'),
    resolution: (optString(wire, 'resolution') ?? '640x480') as Resolution,
    status: reqString(wire, operation, 'status') as BroadcastStatus,
    broadcastUrls: broadcastUrls(wire.broadcastUrls ?? wire.broadcast_urls),
    maxDuration: optNumber(wire, 'maxDuration', 'max_duration'),
    maxBitrate: optNumber(wire, 'maxBitrate', 'maxBitRate', 'max_bitrate'),
    hasAudio: optBoolean(wire, 'hasAudio', 'has_audio') ?? true,
    hasVideo: optBoolean(wire, 'hasVideo', 'has_video') ?? true,
    streamMode: (optString(wire, 'streamMode', 'stream_mode') ?? 'auto') as StreamMode,
    streams: includedStreams(wire.streams),
    settings: settings(wire.settings),
    multiBroadcastTag: optString(wire, 'multiBroadcastTag', 'multi_broadcast_tag'),
  };
}

const broadcast = (ctx: RequestContext) => (body: unknown, operation: string) => parseBroadcast(asObject(body, operation), operation, ctx.projectId);

/** Starts a live-streaming broadcast. Never retried: a retry could start a second broadcast. */
export async function startBroadcast(ctx: RequestContext, sessionId: string, options: StartBroadcastOptions, call: CallOptions = {}): Promise<Broadcast> {
  validateStartBroadcast(sessionId, options);
  return requestJson(
    ctx,
    { operation: 'startBroadcast', method: 'POST', path: projectPath(ctx, 'broadcast'), json: startBroadcastBody(sessionId, options), expect: [200], signal: call.signal },
    broadcast(ctx),
  );
}

/** Fetches one broadcast. */
export async function getBroadcast(ctx: RequestContext, broadcastId: string, call: CallOptions = {}): Promise<Broadcast> {
  validateId('broadcastId', broadcastId, 'getBroadcast');
  return requestJson(ctx, { operation: 'getBroadcast', method: 'GET', path: projectPath(ctx, 'broadcast', broadcastId), expect: [200], signal: call.signal }, broadcast(ctx));
}

/** One page of broadcasts, newest first, with the total number of matches. */
export async function listBroadcasts(ctx: RequestContext, options: SessionListOptions = {}, call: CallOptions = {}): Promise<Page<Broadcast>> {
  validateListOptions(options, 'listBroadcasts');
  return requestJson(
    ctx,
    {
      operation: 'listBroadcasts',
      method: 'GET',
      path: projectPath(ctx, 'broadcast'),
      searchParams: { offset: options.offset, count: options.count, sessionId: options.sessionId },
      expect: [200],
      signal: call.signal,
    },
    (body, operation) => parsePage(body, operation, (wire) => parseBroadcast(wire, operation, ctx.projectId)),
  );
}

/** Every broadcast (optionally of one session), fetched page by page. */
export async function* iterateBroadcasts(ctx: RequestContext, options: IterateOptions = {}, call: CallOptions = {}): AsyncGenerator<Broadcast, void, undefined> {
  validateIterateOptions(options, 'iterateBroadcasts');
  const { sessionId } = options;
  yield* paginate((offset, count) => listBroadcasts(ctx, { offset, count, ...(sessionId !== undefined ? { sessionId } : {}) }, call), options.pageSize ?? 100);
}

/** Stops a broadcast. */
export async function stopBroadcast(ctx: RequestContext, broadcastId: string, call: CallOptions = {}): Promise<Broadcast> {
  validateId('broadcastId', broadcastId, 'stopBroadcast');
  return requestJson(ctx, { operation: 'stopBroadcast', method: 'POST', path: projectPath(ctx, 'broadcast', broadcastId, 'stop'), expect: [200], signal: call.signal }, broadcast(ctx));
}

/** Changes the layout of a broadcast. */
export async function setBroadcastLayout(ctx: RequestContext, broadcastId: string, layout: Layout, call: CallOptions = {}): Promise<void> {
  validateId('broadcastId', broadcastId, 'setBroadcastLayout');
  validateLayout(layout, 'setBroadcastLayout');
  return requestVoid(ctx, {
    operation: 'setBroadcastLayout',
    method: 'PUT',
    path: projectPath(ctx, 'broadcast', broadcastId, 'layout'),
    json: layoutBody(layout),
    expect: [200, 204],
    signal: call.signal,
  });
}

/** Adds a stream to a manual-stream-mode broadcast. */
export async function addBroadcastStream(ctx: RequestContext, broadcastId: string, streamId: string, options: StreamSelection = {}, call: CallOptions = {}): Promise<void> {
  validateId('broadcastId', broadcastId, 'addBroadcastStream');
  validateId('streamId', streamId, 'addBroadcastStream');
  validateStreamSelection(options, 'addBroadcastStream');
  return requestVoid(ctx, {
    operation: 'addBroadcastStream',
    method: 'PATCH',
    path: projectPath(ctx, 'broadcast', broadcastId, 'streams'),
    json: addStreamBody(streamId, options),
    expect: [204, 200],
    signal: call.signal,
  });
}

/** Removes a stream from a manual-stream-mode broadcast. */
export async function removeBroadcastStream(ctx: RequestContext, broadcastId: string, streamId: string, call: CallOptions = {}): Promise<void> {
  validateId('broadcastId', broadcastId, 'removeBroadcastStream');
  validateId('streamId', streamId, 'removeBroadcastStream');
  return requestVoid(ctx, {
    operation: 'removeBroadcastStream',
    method: 'PATCH',
    path: projectPath(ctx, 'broadcast', broadcastId, 'streams'),
    json: { removeStream: streamId },
    expect: [204, 200],
    signal: call.signal,
  });
}
