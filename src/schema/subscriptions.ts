/**
 * Typed live updates made from OpenTok callbacks (CALLBACKS.md): one subscription per thing an
 * app waits for. Served over Server-Sent Events and over WebSocket (`graphql-ws`), by whichever
 * gateway instance the client reached: with Redis, every instance sees every callback.
 */
import { ARCHIVE_STATUSES, BROADCAST_STATUSES, RENDER_STATUSES, VIDEO_TYPES } from '../client/constants.js';
import type { ArchiveStatus, BroadcastStatus, RenderStatus, VideoType } from '../client/constants.js';
import { archiveById } from '../resolvers/archive.js';
import { broadcastById } from '../resolvers/broadcast.js';
import { renderById } from '../resolvers/render.js';
import type { GatewayContext } from '../server/context.js';
import { filterEvents, type OpenTokEvent } from '../server/events.js';
import { builder } from './builder.js';
import { ArchiveStatusEnum, BroadcastStatusEnum, RenderStatusEnum, VideoTypeEnum } from './enums.js';
import { ArchiveRef, BroadcastRef, RenderRef } from './refs.js';

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const obj = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});
const oneOf = <T extends string>(values: readonly T[], value: unknown): T | null => (values as readonly unknown[]).includes(value) ? (value as T) : null;

const filtered = filterEvents;

const ArchiveUpdateRef = builder.objectRef<OpenTokEvent>('ArchiveUpdate');
type EventFieldBuilder = Parameters<NonNullable<Parameters<typeof ArchiveUpdateRef.implement>[0]['fields']>>[0];

/** Fields every update carries: order, timing and the raw body. */
function common(t: EventFieldBuilder) {
  return {
    seq: t.exposeInt('seq', { description: 'Order in which the gateway accepted the callback (shared by all instances that share Redis).' }),
    sessionId: t.exposeID('sessionId', { nullable: true, description: 'The session concerned.' }),
    occurredAt: t.field({ type: 'DateTime', nullable: true, description: 'When OpenTok says it happened.', resolve: (e) => e.occurredAt }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the gateway received the callback.', resolve: (e) => e.receivedAt }),
    payload: t.string({ description: 'The callback body exactly as received, as JSON text.', resolve: (e) => JSON.stringify(e.payload) }),
  };
}

ArchiveUpdateRef.implement({
  description: 'An archive changed status (an `archive` callback): `started`, `paused`, `stopped`, `uploaded`, `available`, `expired` or `failed`.',
  fields: (t) => ({
    ...common(t),
    archiveId: t.id({ description: 'The archive.', resolve: (e) => str(e.payload.id) ?? '' }),
    status: t.field({ type: ArchiveStatusEnum, nullable: true, description: 'The new status (null for a status this gateway does not know).', resolve: (e) => oneOf<ArchiveStatus>(ARCHIVE_STATUSES, e.payload.status) }),
    reason: t.string({ nullable: true, description: 'Why it stopped or failed (`user initiated`, `maximum duration exceeded`, `session ended`, `failure`, …).', resolve: (e) => str(e.payload.reason) }),
    duration: t.int({ nullable: true, description: 'Length in seconds (0 while recording).', resolve: (e) => num(e.payload.duration) }),
    size: t.float({ nullable: true, description: 'File size in bytes (0 until the file exists).', resolve: (e) => num(e.payload.size) }),
    url: t.string({ nullable: true, description: 'Download URL, only when `available` (short-lived).', resolve: (e) => str(e.payload.url) }),
    archive: t.field({
      type: ArchiveRef,
      nullable: true,
      description: 'The archive\'s current state (one upstream call, only when selected).',
      resolve: (e, _args, ctx) => (str(e.payload.id) ? archiveById(str(e.payload.id)!, ctx) : null),
    }),
  }),
});

const BroadcastUpdateRef = builder.objectRef<OpenTokEvent>('BroadcastUpdate');
BroadcastUpdateRef.implement({
  description: 'A live broadcast started, stopped or changed (a `broadcast` callback).',
  fields: (t) => ({
    ...common(t),
    broadcastId: t.id({ description: 'The broadcast.', resolve: (e) => str(e.payload.id) ?? '' }),
    status: t.field({ type: BroadcastStatusEnum, nullable: true, description: 'The broadcast status.', resolve: (e) => oneOf<BroadcastStatus>(BROADCAST_STATUSES, e.payload.status) }),
    hlsUrl: t.string({ nullable: true, description: 'The HLS playlist URL, when there is one.', resolve: (e) => str(obj(e.payload.broadcastUrls).hls) }),
    broadcast: t.field({
      type: BroadcastRef,
      nullable: true,
      description: 'The broadcast\'s current state (one upstream call, only when selected).',
      resolve: (e, _args, ctx) => (str(e.payload.id) ? broadcastById(str(e.payload.id)!, ctx) : null),
    }),
  }),
});

const SESSION_EVENT_TYPES = ['sessionCreated', 'sessionDestroyed', 'connectionCreated', 'connectionDestroyed', 'streamCreated', 'streamDestroyed'] as const;
type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];
const SessionEventTypeEnum = builder.enumType('SessionEventType', {
  description: 'What happened in a session (session monitoring).',
  values: {
    SESSION_CREATED: { value: 'sessionCreated', description: 'The first client connected.' },
    SESSION_DESTROYED: { value: 'sessionDestroyed', description: 'The last client left.' },
    CONNECTION_CREATED: { value: 'connectionCreated', description: 'A client (or SIP leg, Audio Connector, Experience Composer) connected.' },
    CONNECTION_DESTROYED: { value: 'connectionDestroyed', description: 'A connection ended; `reason` says why.' },
    STREAM_CREATED: { value: 'streamCreated', description: 'A client started publishing.' },
    STREAM_DESTROYED: { value: 'streamDestroyed', description: 'A stream ended; `reason` says why.' },
  } as Record<string, { value: SessionEventType; description: string }>,
});

const SessionEventRef = builder.objectRef<OpenTokEvent>('SessionEvent');
SessionEventRef.implement({
  description: 'A session-monitoring callback: a session, connection or stream was created or destroyed.',
  fields: (t) => ({
    ...common(t),
    type: t.field({ type: SessionEventTypeEnum, description: 'What happened.', resolve: (e) => e.type as SessionEventType }),
    reason: t.string({
      nullable: true,
      description: 'Why a connection or stream ended: `clientDisconnected`, `forceDisconnected`, `networkDisconnected`, and for streams also `forceUnpublished` and `mediaStopped`.',
      resolve: (e) => str(e.payload.reason),
    }),
    connectionId: t.id({ nullable: true, description: 'The connection (of a stream event: the publisher\'s).', resolve: (e) => str(obj(e.payload.connection).id) ?? str(obj(obj(e.payload.stream).connection).id) }),
    connectionData: t.string({
      nullable: true,
      description: 'The connection data of the token the client connected with.',
      resolve: (e) => (typeof obj(e.payload.connection).data === 'string' ? (obj(e.payload.connection).data as string) : typeof obj(obj(e.payload.stream).connection).data === 'string' ? (obj(obj(e.payload.stream).connection).data as string) : null),
    }),
    streamId: t.id({ nullable: true, description: 'The stream of a stream event.', resolve: (e) => str(obj(e.payload.stream).id) }),
    streamName: t.string({ nullable: true, description: 'The publisher\'s stream name.', resolve: (e) => (typeof obj(e.payload.stream).name === 'string' ? (obj(e.payload.stream).name as string) : null) }),
    videoType: t.field({ type: VideoTypeEnum, nullable: true, description: 'The stream\'s video source; null for audio-only streams.', resolve: (e) => oneOf<VideoType>(VIDEO_TYPES, obj(e.payload.stream).videoType) }),
  }),
});

const RenderUpdateRef = builder.objectRef<OpenTokEvent>('RenderUpdate');
RenderUpdateRef.implement({
  description: 'An Experience Composer render changed status.',
  fields: (t) => ({
    ...common(t),
    renderId: t.id({ description: 'The render.', resolve: (e) => str(e.payload.id) ?? '' }),
    status: t.field({ type: RenderStatusEnum, nullable: true, description: 'The new status.', resolve: (e) => oneOf<RenderStatus>(RENDER_STATUSES, e.payload.status) }),
    reason: t.string({ nullable: true, description: 'Why it stopped (`Max Duration Exceeded`, `Stop Requested`) or failed.', resolve: (e) => str(e.payload.reason) }),
    streamId: t.id({ nullable: true, description: 'The stream the render publishes.', resolve: (e) => str(e.payload.streamId) }),
    render: t.field({
      type: RenderRef,
      nullable: true,
      description: 'The render\'s current state (one upstream call, only when selected).',
      resolve: (e, _args, ctx) => (str(e.payload.id) ? renderById(str(e.payload.id)!, ctx) : null),
    }),
  }),
});

const CAPTIONS_STATUSES = ['started', 'stopped', 'paused', 'failed'] as const;
const CaptionsStatusEnum = builder.enumType('CaptionsStatus', {
  description: 'The state of live captions.',
  values: {
    STARTED: { value: 'started', description: 'Transcribing.' },
    PAUSED: { value: 'paused', description: 'Paused.' },
    STOPPED: { value: 'stopped', description: 'Stopped (on request or at the maximum duration).' },
    FAILED: { value: 'failed', description: 'Failed.' },
  } as Record<string, { value: (typeof CAPTIONS_STATUSES)[number]; description: string }>,
});

const CaptionsUpdateRef = builder.objectRef<OpenTokEvent>('CaptionsUpdate');
CaptionsUpdateRef.implement({
  description: 'Live captions started, stopped or failed (the captions status callback).',
  fields: (t) => ({
    ...common(t),
    captionsId: t.id({ description: 'The captions.', resolve: (e) => str(e.payload.captionsId) ?? str(e.payload.captionId) ?? '' }),
    status: t.field({ type: CaptionsStatusEnum, nullable: true, description: 'The new status.', resolve: (e) => oneOf(CAPTIONS_STATUSES, e.payload.status) }),
    reason: t.string({ nullable: true, description: 'Why it stopped or failed.', resolve: (e) => str(e.payload.reason) }),
  }),
});

/**
 * A subscription keeps one context for its whole life; each event must read current state, not
 * what the first event's loaders cached.
 */
const fresh = (event: OpenTokEvent, _args: unknown, ctx: GatewayContext): OpenTokEvent => {
  ctx.loaders.afterWrite();
  return event;
};

const inSession = (sessionId: string) => (e: OpenTokEvent) => e.sessionId === sessionId;

builder.subscriptionFields((t) => ({
  archiveUpdated: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId } }),
    type: ArchiveUpdateRef,
    description: 'Status changes of the archives of a session (or of one archive), as OpenTok reports them.',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session whose archives to follow.' }),
      id: t.arg.id({ description: 'Only this archive.' }),
    },
    subscribe: (_root, args, ctx) => filtered(ctx.events.subscribe(), (e) => e.kind === 'archive' && inSession(args.sessionId)(e) && (!args.id || e.payload.id === args.id)),
    resolve: fresh,
  }),
  broadcastUpdated: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId } }),
    type: BroadcastUpdateRef,
    description: 'Changes of the live broadcasts of a session (or of one broadcast).',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session whose broadcasts to follow.' }),
      id: t.arg.id({ description: 'Only this broadcast.' }),
    },
    subscribe: (_root, args, ctx) => filtered(ctx.events.subscribe(), (e) => e.kind === 'broadcast' && inSession(args.sessionId)(e) && (!args.id || e.payload.id === args.id)),
    resolve: fresh,
  }),
  sessionEvents: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId } }),
    type: SessionEventRef,
    description: 'Connections and streams created and destroyed in a session (with reasons), and the session starting and ending.',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session to follow.' }),
    },
    subscribe: (_root, args, ctx) => filtered(ctx.events.subscribe(), (e) => e.kind === 'session' && inSession(args.sessionId)(e)),
    resolve: fresh,
  }),
  renderUpdated: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId } }),
    type: RenderUpdateRef,
    description: 'Status changes of the Experience Composer renders of a session (or of one render).',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session whose renders to follow.' }),
      id: t.arg.id({ description: 'Only this render.' }),
    },
    subscribe: (_root, args, ctx) => filtered(ctx.events.subscribe(), (e) => e.kind === 'render' && inSession(args.sessionId)(e) && (!args.id || e.payload.id === args.id)),
    resolve: fresh,
  }),
  captionsUpdated: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId } }),
    type: CaptionsUpdateRef,
    description: 'Status changes of the live captions of a session (or of one captions job).',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session whose captions to follow.' }),
      id: t.arg.id({ description: 'Only these captions.' }),
    },
    subscribe: (_root, args, ctx) =>
      filtered(ctx.events.subscribe(), (e) => e.kind === 'captions' && inSession(args.sessionId)(e) && (!args.id || (e.payload.captionsId ?? e.payload.captionId) === args.id)),
    resolve: fresh,
  }),
}));
