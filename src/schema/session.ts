/** Session: the room clients connect to. Root fields: `session`, `createSession`. */
import * as resolve from '../resolvers/session.js';
import { withoutNulls } from '../resolvers/input.js';
import { builder } from './builder.js';
import { ArchiveModeEnum, MediaModeEnum, ResolutionEnum } from './enums.js';
import { ArchivePageRef, ArchiveRef, BroadcastPageRef, BroadcastRef, SessionPayloadRef, SessionRef, StreamRef } from './refs.js';

SessionRef.implement({
  description:
    'An OpenTok session: the room clients connect to with a token. Sessions never expire and cannot be deleted. OpenTok has no endpoint that reads a session, so `createdAt`, `location` and `projectId` are decoded from its id, and `mediaMode`/`archiveMode`/`e2ee` are known only in the result of `createSession`.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The session id (`1_…`), as given to client SDKs.' }),
    projectId: t.string({
      description: 'The API key (or Vonage application id) of the project that owns the session, decoded from the id.',
      resolve: (session) => session.decoded?.projectId ?? '',
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the session was created, decoded from the id (second precision); null if the id does not carry a readable date.',
      resolve: (session) => session.decoded?.createdAt ?? null,
    }),
    location: t.string({
      nullable: true,
      description: 'The IPv4 location hint the session was created with, decoded from the id; null when none was given.',
      resolve: (session) => session.decoded?.location ?? null,
    }),
    mediaMode: t.field({
      type: MediaModeEnum,
      nullable: true,
      description: 'How media flows. Known only in the result of `createSession` (null elsewhere): OpenTok cannot be asked.',
      resolve: (session) => session.created?.mediaMode ?? null,
    }),
    archiveMode: t.field({
      type: ArchiveModeEnum,
      nullable: true,
      description: 'Whether the session is recorded automatically. Known only in the result of `createSession` (null elsewhere).',
      resolve: (session) => session.created?.archiveMode ?? null,
    }),
    e2ee: t.boolean({
      nullable: true,
      description: 'Whether media is end-to-end encrypted. Known only in the result of `createSession` (null elsewhere).',
      resolve: (session) => session.created?.e2ee ?? null,
    }),
    streams: t.field({
      type: [StreamRef],
      description: 'The streams being published in the session now (empty when nobody has published yet). One upstream call per session per request, shared with `stream(sessionId, id)`.',
      resolve: (session, _args, ctx) => resolve.sessionStreams(session, ctx),
    }),
    archives: t.field({
      type: ArchivePageRef,
      description: 'Archives of this session, newest first.',
      args: {
        offset: t.arg.int({ defaultValue: 0, description: 'How many of the newest archives to skip.' }),
        count: t.arg.int({ defaultValue: 50, description: 'How many archives to return (0–1000).' }),
      },
      resolve: (session, args, ctx) => resolve.sessionArchives(session, args, ctx),
    }),
    broadcasts: t.field({
      type: BroadcastPageRef,
      description: 'Broadcasts of this session, newest first.',
      args: {
        offset: t.arg.int({ defaultValue: 0, description: 'How many of the newest broadcasts to skip.' }),
        count: t.arg.int({ defaultValue: 50, description: 'How many broadcasts to return (0–1000).' }),
      },
      resolve: (session, args, ctx) => resolve.sessionBroadcasts(session, args, ctx),
    }),
    activeArchive: t.field({
      type: ArchiveRef,
      nullable: true,
      description: 'The archive recording the session now (status `STARTED` or `PAUSED`), looked for among its 50 newest archives; null when none. With several tagged archives running, the newest.',
      resolve: (session, _args, ctx) => resolve.activeArchive(session, ctx),
    }),
    activeBroadcast: t.field({
      type: BroadcastRef,
      nullable: true,
      description: 'The broadcast running in the session now, looked for among its 50 newest broadcasts; null when none.',
      resolve: (session, _args, ctx) => resolve.activeBroadcast(session, ctx),
    }),
  }),
});

SessionPayloadRef.implement({
  description: 'The result of an operation on a session that returns no data upstream (signals, moderation, layout classes, DTMF). Select `session` to read its state afterwards.',
  fields: (t) => ({
    sessionId: t.exposeID('sessionId', { description: 'The session the operation acted on.' }),
    session: t.field({
      type: SessionRef,
      description: 'The session, to read its fresh state (e.g. `streams`).',
      resolve: (payload) => resolve.sessionModel(payload.sessionId),
    }),
  }),
});

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  description: 'Options of a new session.',
  fields: (t) => ({
    mediaMode: t.field({
      type: MediaModeEnum,
      defaultValue: 'routed',
      description: 'How media flows. Default `ROUTED` (required for archiving, broadcasting, SIP, renders and captions).',
    }),
    archiveMode: t.field({ type: ArchiveModeEnum, description: 'Default `MANUAL`. `ALWAYS` needs `ROUTED` media.' }),
    archiveName: t.string({ description: 'Name of automatic archives (≤ 80 characters); only with archiveMode `ALWAYS`.' }),
    archiveResolution: t.field({ type: ResolutionEnum, description: 'Resolution of automatic archives; only with archiveMode `ALWAYS`.' }),
    location: t.string({ description: 'An IPv4 address used as a hint to pick the media server region.' }),
    e2ee: t.boolean({ description: 'End-to-end encryption; needs `ROUTED` media and `MANUAL` archiving.' }),
  }),
});

builder.queryFields((t) => ({
  session: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.id } }),
    type: SessionRef,
    nullable: true,
    description: 'A session by id. Costs no upstream call: the id is decoded. Null when the id is not an OpenTok session id.',
    args: { id: t.arg.id({ required: true, description: 'The session id.' }) },
    resolve: (_root, args) => resolve.sessionById(args.id),
  }),
}));

builder.mutationFields((t) => ({
  createSession: t.field({
    authScopes: { 'video:write': true },
    type: SessionRef,
    description: 'Creates a session. Sessions are free and never expire; create one per meeting.',
    args: { input: t.arg({ type: CreateSessionInput, defaultValue: { mediaMode: 'routed' }, description: 'Session options; all optional.' }) },
    resolve: (_root, args, ctx) => resolve.createSession(withoutNulls(args.input ?? {}), ctx),
  }),
}));
