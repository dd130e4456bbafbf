/** Archives (recordings). Root fields: `archive`, `archives`, `archivesConnection` and the archive mutations. */
import type { Archive } from '../client/types.js';
import * as resolve from '../resolvers/archive.js';
import { withoutNulls } from '../resolvers/input.js';
import { hasMore } from '../resolvers/paging.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { ArchiveStatusEnum, OutputModeEnum, ResolutionEnum, StreamModeEnum } from './enums.js';
import { LayoutInput } from './layout.js';
import {
  ArchiveConnectionRef,
  ArchiveEdgeRef,
  ArchivePageRef,
  ArchiveRef,
  IncludedStreamRef,
  PageInfoRef,
  SessionRef,
} from './refs.js';

const TranscriptionRef = builder.objectRef<NonNullable<Archive['transcriptionProperties']>>('TranscriptionProperties');
TranscriptionRef.implement({
  description: 'Settings of post-call transcription of an archive.',
  fields: (t) => ({
    primaryLanguageCode: t.string({ nullable: true, description: 'The main spoken language (BCP 47, e.g. `en-US`).', resolve: (p) => p.primaryLanguageCode ?? null }),
    hasSummary: t.boolean({ nullable: true, description: 'Whether a summary is produced with the transcript.', resolve: (p) => p.hasSummary ?? null }),
  }),
});

ArchiveRef.implement({
  description: 'A recording of a session.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The archive id (a UUID).' }),
    status: t.field({ type: ArchiveStatusEnum, description: 'Where the archive is in its lifecycle.', resolve: (a) => a.status }),
    name: t.exposeString('name', { nullable: true, description: 'The name given at start; null when unnamed.' }),
    reason: t.string({
      nullable: true,
      description: 'Why the archive stopped or failed (e.g. `user initiated`, `maximum duration exceeded`); null otherwise.',
      resolve: (a) => a.reason || null,
    }),
    sessionId: t.exposeID('sessionId', { description: 'The recorded session.' }),
    session: t.field({ type: SessionRef, description: 'The recorded session.', resolve: (a) => sessionModel(a.sessionId) }),
    projectId: t.exposeString('projectId', { description: 'The API key (or Vonage application id) of the project.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When recording started.', resolve: (a) => a.createdAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the archive last changed; null if OpenTok did not say.', resolve: (a) => a.updatedAt }),
    size: t.field({ type: 'Float', description: 'Size of the file in bytes; 0 until it is available. (Float: files can exceed 2 GiB.)', resolve: (a) => a.size }),
    duration: t.exposeInt('duration', { description: 'Length of the recording in seconds; 0 while recording.' }),
    outputMode: t.field({ type: OutputModeEnum, description: 'One composed file or one file per stream.', resolve: (a) => a.outputMode }),
    hasAudio: t.exposeBoolean('hasAudio', { description: 'Whether audio is recorded.' }),
    hasVideo: t.exposeBoolean('hasVideo', { description: 'Whether video is recorded.' }),
    resolution: t.field({ type: ResolutionEnum, nullable: true, description: 'Resolution of a composed archive; null for individual output.', resolve: (a) => a.resolution }),
    streamMode: t.field({ type: StreamModeEnum, description: 'Whether streams are included automatically or by hand.', resolve: (a) => a.streamMode }),
    streams: t.field({
      type: [IncludedStreamRef],
      description: 'Streams included by hand (manual stream mode); empty in auto mode.',
      resolve: (a) => a.streams.map((s) => ({ ...s, sessionId: a.sessionId })),
    }),
    url: t.exposeString('url', { nullable: true, description: 'Download URL once `AVAILABLE` (valid about 10 minutes, fresh on each read); null otherwise.' }),
    multiArchiveTag: t.exposeString('multiArchiveTag', { nullable: true, description: 'The tag given at start; OpenTok echoes it only in the start response.' }),
    maxBitrate: t.exposeInt('maxBitrate', { nullable: true, description: 'Maximum video bitrate in bits per second, when set at start.' }),
    quantizationParameter: t.exposeInt('quantizationParameter', { nullable: true, description: 'Video quality (15–40, lower is better), when set at start.' }),
    hasTranscription: t.exposeBoolean('hasTranscription', { description: 'Whether a post-call transcript is produced.' }),
    transcriptionProperties: t.field({
      type: TranscriptionRef,
      nullable: true,
      description: 'Transcription settings, when transcription is on.',
      resolve: (a) => a.transcriptionProperties,
    }),
    sha256sum: t.string({ nullable: true, description: 'SHA-256 of the file, when OpenTok provides it.', resolve: (a) => a.sha256sum || null }),
  }),
});

ArchivePageRef.implement({
  description: 'One page of archives, newest first.',
  fields: (t) => ({
    totalCount: t.exposeInt('totalCount', { description: 'How many archives match in all, not just on this page.' }),
    items: t.field({ type: [ArchiveRef], description: 'The archives of this page.', resolve: (p) => p.items }),
    hasMore: t.boolean({ description: 'Whether more archives follow this page.', resolve: hasMore }),
  }),
});

PageInfoRef.implement({
  description: 'Relay pagination state of a connection.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether more items follow `endCursor`.' }),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage', { description: 'Whether items precede `startCursor`.' }),
    startCursor: t.exposeString('startCursor', { nullable: true, description: 'Cursor of the first edge; null when there are none.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' }),
  }),
});

ArchiveEdgeRef.implement({
  description: 'An archive and its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position of this archive; pass it as `after`.' }),
    node: t.field({ type: ArchiveRef, description: 'The archive.', resolve: (e) => e.node }),
  }),
});

ArchiveConnectionRef.implement({
  description: 'Archives as a Relay cursor connection, newest first. Cursors are positions in the newest-first list: archives started while paging shift later pages by one.',
  fields: (t) => ({
    edges: t.field({ type: [ArchiveEdgeRef], description: 'The archives of this page with their cursors.', resolve: (c) => c.edges }),
    nodes: t.field({ type: [ArchiveRef], description: 'The archives of this page, without cursors.', resolve: (c) => c.edges.map((e) => e.node) }),
    pageInfo: t.field({
      type: PageInfoRef,
      description: 'Where this page is.',
      resolve: (c) => ({
        hasNextPage: c.hasNextPage,
        hasPreviousPage: c.hasPreviousPage,
        startCursor: c.edges[0]?.cursor ?? null,
        endCursor: c.edges.at(-1)?.cursor ?? null,
      }),
    }),
    totalCount: t.exposeInt('totalCount', { description: 'How many archives match in all.' }),
  }),
});

const TranscriptionInput = builder.inputType('TranscriptionPropertiesInput', {
  description: 'Post-call transcription settings.',
  fields: (t) => ({
    primaryLanguageCode: t.string({ description: 'The main spoken language (BCP 47, e.g. `en-US`).' }),
    hasSummary: t.boolean({ description: 'Also produce a summary.' }),
  }),
});

const StartArchiveInput = builder.inputType('StartArchiveInput', {
  description: 'What to record and how. The session must be routed and have a connected client.',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: 'The session to record.' }),
    name: t.string({ description: 'A name for the archive (≤ 80 characters).' }),
    hasAudio: t.boolean({ description: 'Record audio (default true). Not both hasAudio and hasVideo false.' }),
    hasVideo: t.boolean({ description: 'Record video (default true).' }),
    outputMode: t.field({ type: OutputModeEnum, description: 'Default `COMPOSED`.' }),
    resolution: t.field({ type: ResolutionEnum, description: 'Composed archives only. Default 640x480.' }),
    layout: t.field({ type: LayoutInput, description: 'Composed archives only. Default `BEST_FIT`.' }),
    streamMode: t.field({ type: StreamModeEnum, description: 'Default `AUTO`.' }),
    multiArchiveTag: t.string({ description: 'Lets several archives of one session run at once, one per distinct tag.' }),
    maxBitrate: t.int({ description: 'Maximum video bitrate, 100000–6000000 bits/s; composed only; not with quantizationParameter.' }),
    quantizationParameter: t.int({ description: 'Video quality 15–40 (lower is better); not with maxBitrate.' }),
    hasTranscription: t.boolean({ description: 'Produce a post-call transcript.' }),
    transcriptionProperties: t.field({ type: TranscriptionInput, description: 'Transcription settings (with hasTranscription).' }),
  }),
});

const StreamSelectionArgs = {
  hasAudio: 'Include the stream\'s audio (default true).',
  hasVideo: 'Include the stream\'s video (default true).',
} as const;

const ArchivePayloadRef = builder.objectRef<{ archiveId: string }>('ArchivePayload');
ArchivePayloadRef.implement({
  description: 'The result of a change to an archive that returns no data upstream.',
  fields: (t) => ({
    archiveId: t.exposeID('archiveId', { description: 'The archive changed.' }),
    archive: t.field({
      type: ArchiveRef,
      nullable: true,
      description: 'The archive\'s fresh state (one upstream call, only when selected).',
      resolve: (p, _args, ctx) => resolve.archiveById(p.archiveId, ctx),
    }),
  }),
});

const DeleteArchivePayloadRef = builder.objectRef<{ deletedArchiveId: string }>('DeleteArchivePayload');
DeleteArchivePayloadRef.implement({
  description: 'The result of deleting an archive.',
  fields: (t) => ({ deletedArchiveId: t.exposeID('deletedArchiveId', { description: 'The id of the deleted archive.' }) }),
});

builder.queryFields((t) => ({
  archive: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, archive: args.id } }),
    type: ArchiveRef,
    nullable: true,
    description: 'An archive by id; null when there is no such archive (no error).',
    args: { id: t.arg.id({ required: true, description: 'The archive id.' }) },
    resolve: (_root, args, ctx) => resolve.archiveById(args.id, ctx),
  }),
  archives: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId ?? null } }),
    type: ArchivePageRef,
    description: 'Archives of the project, or of one session, newest first, by offset.',
    args: {
      offset: t.arg.int({ defaultValue: 0, description: 'How many of the newest archives to skip.' }),
      count: t.arg.int({ defaultValue: 50, description: 'How many archives to return (0–1000).' }),
      sessionId: t.arg.id({ description: 'Only archives of this session.' }),
    },
    resolve: (_root, args, ctx) => resolve.archives(args, ctx),
  }),
  archivesConnection: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId ?? null } }),
    type: ArchiveConnectionRef,
    description: 'Archives as a Relay cursor connection, newest first: the same data as `archives`.',
    args: {
      first: t.arg.int({ defaultValue: 50, description: 'How many archives to return (0–1000).' }),
      after: t.arg.string({ description: 'Return archives after this cursor (an `endCursor` or edge `cursor`).' }),
      sessionId: t.arg.id({ description: 'Only archives of this session.' }),
    },
    resolve: (_root, args, ctx) => resolve.archivesConnection(args, ctx),
  }),
}));

builder.mutationFields((t) => ({
  startArchive: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.input.sessionId } }),
    type: ArchiveRef,
    description: 'Starts recording a session.',
    args: { input: t.arg({ type: StartArchiveInput, required: true, description: 'What to record and how.' }) },
    resolve: (_root, args, ctx) => resolve.startArchive(withoutNulls(args.input), ctx),
  }),
  stopArchive: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, archive: args.id } }),
    type: ArchiveRef,
    description: 'Stops a recording. The archive becomes `AVAILABLE` (or `UPLOADED`) shortly after.',
    args: { id: t.arg.id({ required: true, description: 'The archive id.' }) },
    resolve: (_root, args, ctx) => resolve.stopArchive(args.id, ctx),
  }),
  deleteArchive: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, archive: args.id } }),
    type: DeleteArchivePayloadRef,
    description: 'Deletes an archive\'s file (only when `AVAILABLE` or `UPLOADED`, otherwise CONFLICT).',
    args: { id: t.arg.id({ required: true, description: 'The archive id.' }) },
    resolve: (_root, args, ctx) => resolve.deleteArchive(args.id, ctx),
  }),
  setArchiveLayout: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, archive: args.id } }),
    type: ArchivePayloadRef,
    description: 'Changes the layout of a running composed archive.',
    args: {
      id: t.arg.id({ required: true, description: 'The archive id.' }),
      layout: t.arg({ type: LayoutInput, required: true, description: 'The new layout.' }),
    },
    resolve: (_root, args, ctx) => resolve.setArchiveLayout(args.id, withoutNulls(args.layout), ctx),
  }),
  addArchiveStream: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, archive: args.id } }),
    type: ArchivePayloadRef,
    description: 'Adds a stream to an archive in manual stream mode (or changes its audio/video selection).',
    args: {
      id: t.arg.id({ required: true, description: 'The archive id.' }),
      streamId: t.arg.id({ required: true, description: 'The stream to include.' }),
      hasAudio: t.arg.boolean({ description: StreamSelectionArgs.hasAudio }),
      hasVideo: t.arg.boolean({ description: StreamSelectionArgs.hasVideo }),
    },
    resolve: (_root, args, ctx) => resolve.addArchiveStream(args.id, args.streamId, withoutNulls({ hasAudio: args.hasAudio, hasVideo: args.hasVideo }), ctx),
  }),
  removeArchiveStream: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, archive: args.id } }),
    type: ArchivePayloadRef,
    description: 'Removes a stream from an archive in manual stream mode.',
    args: {
      id: t.arg.id({ required: true, description: 'The archive id.' }),
      streamId: t.arg.id({ required: true, description: 'The stream to remove.' }),
    },
    resolve: (_root, args, ctx) => resolve.removeArchiveStream(args.id, args.streamId, ctx),
  }),
}));
