/** Live-streaming broadcasts (API.md §5.3): HLS and up to five RTMP targets. */
import type { BroadcastStatus, HlsStatus, Resolution, RtmpStatus, StreamMode } from './constants.js';
import {
  defined,
  includedStreams,
  optBoolean,
  optNumber,
  optString,
  projectIdOf,
  projectPath,
  reqString,
  requestJson,
  type RequestContext,
  type Wire,
} from './context.js';
import { layoutBody, mediaOperations, objectParser, readOperations, type Resource } from './resource.js';
import type { Broadcast, BroadcastUrls, CallOptions, RtmpTarget, StartBroadcastOptions } from './types.js';
import { validateStartBroadcast } from './validation.js';

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

const broadcast: Resource<Broadcast> = { resource: 'broadcast', idName: 'broadcastId', parse: parseBroadcast };
const reads = readOperations({ ...broadcast, sessionFilter: true, names: { get: 'getBroadcast', list: 'listBroadcasts', iterate: 'iterateBroadcasts' } });
const media = mediaOperations({
  ...broadcast,
  names: { stop: 'stopBroadcast', setLayout: 'setBroadcastLayout', addStream: 'addBroadcastStream', removeStream: 'removeBroadcastStream' },
});

/** Starts a live-streaming broadcast. Never retried: a retry could start a second broadcast. */
export async function startBroadcast(ctx: RequestContext, sessionId: string, options: StartBroadcastOptions, call: CallOptions = {}): Promise<Broadcast> {
  validateStartBroadcast(sessionId, options);
  return requestJson(
    ctx,
    { operation: 'startBroadcast', method: 'POST', path: projectPath(ctx, 'broadcast'), json: startBroadcastBody(sessionId, options), expect: [200], signal: call.signal },
    objectParser(ctx, parseBroadcast),
  );
}

// The operations below are built in resource.ts, shared with archives (and get/list/iterate with renders).

/** Fetches one broadcast. GET broadcast/{broadcastId} → 200. */
export const getBroadcast = reads.get;

/** One page of broadcasts, newest first, with the total number of matches. GET broadcast?offset&count&sessionId → 200. */
export const listBroadcasts = reads.list;

/** Every broadcast (optionally of one session), fetched page by page through listBroadcasts. */
export const iterateBroadcasts = reads.iterate;

/** Stops a broadcast. POST broadcast/{broadcastId}/stop → 200. */
export const stopBroadcast = media.stop;

/** Changes the layout of a broadcast. PUT broadcast/{broadcastId}/layout → 200 (API) or 204 (Vonage mock). */
export const setBroadcastLayout = media.setLayout;

/** Adds a stream to a manual-stream-mode broadcast. PATCH broadcast/{broadcastId}/streams → 204 or 200. */
export const addBroadcastStream = media.addStream;

/** Removes a stream from a manual-stream-mode broadcast. PATCH broadcast/{broadcastId}/streams → 204 or 200. */
export const removeBroadcastStream = media.removeStream;
