/** Archives (API.md §5.2): start, get, list, iterate, stop, delete, layout, add/remove stream. */
import type { OutputMode, Resolution, StreamMode, ArchiveStatus } from './constants.js';
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
  requestVoid,
  type RequestContext,
  type Wire,
} from './context.js';
import { layoutBody, mediaOperations, objectParser, readOperations, type Resource } from './resource.js';
import type { Archive, CallOptions, StartArchiveOptions, TranscriptionProperties } from './types.js';
import { validateId, validateStartArchive } from './validation.js';

// Archives and broadcasts share these body builders; they stay importable from here.
export { addStreamBody, layoutBody } from './resource.js';

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

const archive: Resource<Archive> = { resource: 'archive', idName: 'archiveId', parse: parseArchive };
const reads = readOperations({ ...archive, sessionFilter: true, names: { get: 'getArchive', list: 'listArchives', iterate: 'iterateArchives' } });
const media = mediaOperations({
  ...archive,
  names: { stop: 'stopArchive', setLayout: 'setArchiveLayout', addStream: 'addArchiveStream', removeStream: 'removeArchiveStream' },
});

/** Starts recording a session. Never retried: a retry could start a second archive. */
export async function startArchive(ctx: RequestContext, sessionId: string, options: StartArchiveOptions = {}, call: CallOptions = {}): Promise<Archive> {
  validateStartArchive(sessionId, options);
  return requestJson(
    ctx,
    { operation: 'startArchive', method: 'POST', path: projectPath(ctx, 'archive'), json: startArchiveBody(sessionId, options), expect: [200], signal: call.signal },
    objectParser(ctx, parseArchive),
  );
}

// The operations below are built in resource.ts, shared with broadcasts (and get/list/iterate with renders).

/** Fetches one archive. GET archive/{archiveId} → 200. */
export const getArchive = reads.get;

/** One page of archives, newest first, with the total number of matches. GET archive?offset&count&sessionId → 200. */
export const listArchives = reads.list;

/** Every archive (optionally of one session), fetched page by page through listArchives. */
export const iterateArchives = reads.iterate;

/** Stops a recording archive. POST archive/{archiveId}/stop → 200. */
export const stopArchive = media.stop;

/** Deletes an archive (only available, uploaded or deleted ones; otherwise 409). */
export async function deleteArchive(ctx: RequestContext, archiveId: string, call: CallOptions = {}): Promise<void> {
  validateId('archiveId', archiveId, 'deleteArchive');
  return requestVoid(ctx, { operation: 'deleteArchive', method: 'DELETE', path: projectPath(ctx, 'archive', archiveId), expect: [204], signal: call.signal });
}

/** Changes the layout of a composed archive. PUT archive/{archiveId}/layout → 200 (API) or 204 (Vonage mock). */
export const setArchiveLayout = media.setLayout;

/** Adds a stream to a manual-stream-mode archive (405 when the archive is in auto mode). PATCH archive/{archiveId}/streams → 204 or 200. */
export const addArchiveStream = media.addStream;

/** Removes a stream from a manual-stream-mode archive. PATCH archive/{archiveId}/streams → 204 or 200. */
export const removeArchiveStream = media.removeStream;
