/** Archives (API.md §5.2): start, get, list, iterate, stop, delete, layout, add/remove stream. */
import type { OutputMode, Resolution, StreamMode, ArchiveStatus } from './constants.js';
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
  Archive,
  CallOptions,
  IterateOptions,
  Layout,
  Page,
  SessionListOptions,
  StartArchiveOptions,
  StreamSelection,
  TranscriptionProperties,
} from './types.js';
import {
  validateId,
  validateIterateOptions,
  validateLayout,
  validateListOptions,
  validateStartArchive,
  validateStreamSelection,
} from './validation.js';

/** The wire form of a layout; unset optional keys are left out. */
export function layoutBody(layout: Layout): Record<string, unknown> {
  return defined({ type: layout.type, stylesheet: layout.stylesheet, screenshareType: layout.screenshareType });
}

/** The JSON body of a start-archive request. */
export function startArchiveBody(sessionId: string, options: StartArchiveOptions = {}): Record<string, unknown> {
  return defined({
    sessionId,
    name: options.name,
    hasAudio: options.hasAudio,
    hasVideo: options.hasVideo,
    outputMode: options.outputMode,
    resolution: options.resolution,
    layout: options.layout === undefined ? undefined : layoutBody(options.layout),
    streamMode: options.streamMode,
    multiArchiveTag: options.multiArchiveTag,
    maxBitrate: options.maxBitrate,
    quantizationParameter: options.quantizationParameter,
    hasTranscription: options.hasTranscription,
    transcriptionProperties:
      options.transcriptionProperties === undefined
        ? undefined
        : defined({ ...options.transcriptionProperties }),
  });
}

function transcription(value: unknown): TranscriptionProperties | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const wire = value as Wire;
  const out: TranscriptionProperties = {};
  const code = optString(wire, 'primaryLanguageCode', 'primary_language_code');
  const summary = optBoolean(wire, 'hasSummary', 'has_summary');
  if (code !== null) out.primaryLanguageCode = code;
  if (summary !== null) out.hasSummary = summary;
  return out;
}

/** Parses an archive object from the wire. */
export function parseArchive(wire: Wire, operation: string, fallbackProjectId = ''): Archive {
  const outputMode = (optString(wire, 'outputMode', 'output_mode') ?? 'composed') as OutputMode;
  return {
    id: reqString(wire, operation, 'id'),
    status: reqString(wire, operation, 'status') as ArchiveStatus,
    name: optString(wire, 'name'),
    reason: optString(wire, 'reason') ?? '',
    sessionId: optString(wire, 'sessionId', 'session_id') ?? '',
    projectId: projectIdOf(wire, fallbackProjectId),
    createdAt: optNumber(wire, 'createdAt', 'created_at') ?? 0,
    updatedAt: optNumber(wire, 'updatedAt', 'updated_at'),
    size: optNumber(wire, 'size') ?? 0,
    duration: optNumber(wire, 'duration') ?? 0,
    outputMode,
    hasAudio: optBoolean(wire, 'hasAudio', 'has_audio') ?? true,
    hasVideo: optBoolean(wire, 'hasVideo', 'has_video') ?? true,
    resolution: (optString(wire, 'resolution') as Resolution | null) ?? null,
    streamMode: (optString(wire, 'streamMode', 'stream_mode') ?? 'auto') as StreamMode,
    streams: includedStreams(wire.streams),
    url: optString(wire, 'url'),
    multiArchiveTag: optString(wire, 'multiArchiveTag', 'multi_archive_tag'),
    maxBitrate: optNumber(wire, 'maxBitrate', 'max_bitrate'),
    quantizationParameter: optNumber(wire, 'quantizationParameter', 'quantization_parameter'),
    hasTranscription: optBoolean(wire, 'hasTranscription', 'has_transcription') ?? false,
    transcriptionProperties: transcription(wire.transcriptionProperties ?? wire.transcription_properties),
    sha256sum: optString(wire, 'sha256sum') || null,
  };
}

const archive = (ctx: RequestContext) => (body: unknown, operation: string) => parseArchive(asObject(body, operation), operation, ctx.projectId);

/** Starts recording a session. Never retried: a retry could start a second archive. */
export async function startArchive(ctx: RequestContext, sessionId: string, options: StartArchiveOptions = {}, call: CallOptions = {}): Promise<Archive> {
  validateStartArchive(sessionId, options);
  return requestJson(
    ctx,
    { operation: 'startArchive', method: 'POST', path: projectPath(ctx, 'archive'), json: startArchiveBody(sessionId, options), expect: [200], signal: call.signal },
    archive(ctx),
  );
}

/** Fetches one archive. */
export async function getArchive(ctx: RequestContext, archiveId: string, call: CallOptions = {}): Promise<Archive> {
  validateId('archiveId', archiveId, 'getArchive');
  return requestJson(ctx, { operation: 'getArchive', method: 'GET', path: projectPath(ctx, 'archive', archiveId), expect: [200], signal: call.signal }, archive(ctx));
}

/** One page of archives, newest first, with the total number of matches. */
export async function listArchives(ctx: RequestContext, options: SessionListOptions = {}, call: CallOptions = {}): Promise<Page<Archive>> {
  validateListOptions(options, 'listArchives');
  return requestJson(
    ctx,
    {
      operation: 'listArchives',
      method: 'GET',
      path: projectPath(ctx, 'archive'),
      searchParams: { offset: options.offset, count: options.count, sessionId: options.sessionId },
      expect: [200],
      signal: call.signal,
    },
    (body, operation) => parsePage(body, operation, (wire) => parseArchive(wire, operation, ctx.projectId)),
  );
}

/** Every archive (optionally of one session), fetched page by page. */
export async function* iterateArchives(ctx: RequestContext, options: IterateOptions = {}, call: CallOptions = {}): AsyncGenerator<Archive, void, undefined> {
  validateIterateOptions(options, 'iterateArchives');
  const { sessionId } = options;
  yield* paginate((offset, count) => listArchives(ctx, { offset, count, ...(sessionId !== undefined ? { sessionId } : {}) }, call), options.pageSize ?? 100);
}

/** Stops a recording archive. */
export async function stopArchive(ctx: RequestContext, archiveId: string, call: CallOptions = {}): Promise<Archive> {
  validateId('archiveId', archiveId, 'stopArchive');
  return requestJson(ctx, { operation: 'stopArchive', method: 'POST', path: projectPath(ctx, 'archive', archiveId, 'stop'), expect: [200], signal: call.signal }, archive(ctx));
}

/** Deletes an archive (only available, uploaded or deleted ones; otherwise 409). */
export async function deleteArchive(ctx: RequestContext, archiveId: string, call: CallOptions = {}): Promise<void> {
  validateId('archiveId', archiveId, 'deleteArchive');
  return requestVoid(ctx, { operation: 'deleteArchive', method: 'DELETE', path: projectPath(ctx, 'archive', archiveId), expect: [204], signal: call.signal });
}

/** Changes the layout of a composed archive. The Vonage mock answers 204, the API 200: both are success. */
export async function setArchiveLayout(ctx: RequestContext, archiveId: string, layout: Layout, call: CallOptions = {}): Promise<void> {
  validateId('archiveId', archiveId, 'setArchiveLayout');
  validateLayout(layout, 'setArchiveLayout');
  return requestVoid(ctx, {
    operation: 'setArchiveLayout',
    method: 'PUT',
    path: projectPath(ctx, 'archive', archiveId, 'layout'),
    json: layoutBody(layout),
    expect: [200, 204],
    signal: call.signal,
  });
}

/** The body of a PATCH …/streams that adds a stream; audio and video are sent only when given (the server defaults both to true). */
export function addStreamBody(streamId: string, options: StreamSelection = {}): Record<string, unknown> {
  return defined({ addStream: streamId, hasAudio: options.hasAudio, hasVideo: options.hasVideo });
}

/** Adds a stream to a manual-stream-mode archive (405 when the archive is in auto mode). */
export async function addArchiveStream(ctx: RequestContext, archiveId: string, streamId: string, options: StreamSelection = {}, call: CallOptions = {}): Promise<void> {
  validateId('archiveId', archiveId, 'addArchiveStream');
  validateId('streamId', streamId, 'addArchiveStream');
  validateStreamSelection(options, 'addArchiveStream');
  return requestVoid(ctx, {
    operation: 'addArchiveStream',
    method: 'PATCH',
    path: projectPath(ctx, 'archive', archiveId, 'streams'),
    json: addStreamBody(streamId, options),
    expect: [204, 200],
    signal: call.signal,
  });
}

/** Removes a stream from a manual-stream-mode archive. */
export async function removeArchiveStream(ctx: RequestContext, archiveId: string, streamId: string, call: CallOptions = {}): Promise<void> {
  validateId('archiveId', archiveId, 'removeArchiveStream');
  validateId('streamId', streamId, 'removeArchiveStream');
  return requestVoid(ctx, {
    operation: 'removeArchiveStream',
    method: 'PATCH',
    path: projectPath(ctx, 'archive', archiveId, 'streams'),
    json: { removeStream: streamId },
    expect: [204, 200],
    signal: call.signal,
  });
}
