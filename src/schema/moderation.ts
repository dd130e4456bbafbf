/** Moderation: force disconnect and force mute. */
import * as resolve from '../resolvers/realtime.js';
import { builder } from './builder.js';
import { SessionPayloadRef } from './refs.js';

builder.mutationFields((t) => ({
  forceDisconnect: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:moderate': true, session: args.sessionId } }),
    type: SessionPayloadRef,
    description: 'Disconnects a client from a session (NOT_FOUND when it is not connected).',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session id.' }),
      connectionId: t.arg.id({ required: true, description: 'The connection to end.' }),
    },
    resolve: (_root, args, ctx) => resolve.forceDisconnect(args.sessionId, args.connectionId, ctx),
  }),
  muteStream: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:moderate': true, session: args.sessionId } }),
    type: SessionPayloadRef,
    description: 'Mutes the audio of one stream (the publisher can unmute).',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session id.' }),
      streamId: t.arg.id({ required: true, description: 'The stream to mute.' }),
    },
    resolve: (_root, args, ctx) => resolve.muteStream(args.sessionId, args.streamId, ctx),
  }),
  muteAllStreams: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:moderate': true, session: args.sessionId } }),
    type: SessionPayloadRef,
    description: 'Mutes every stream of a session, except the excluded ones, and keeps muting streams published later until `disableForceMute`.',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session id.' }),
      excludedStreamIds: t.arg.idList({ description: 'Streams to leave unmuted (e.g. the moderator\'s).' }),
    },
    resolve: (_root, args, ctx) => resolve.muteAllStreams(args.sessionId, args.excludedStreamIds, ctx),
  }),
  disableForceMute: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:moderate': true, session: args.sessionId } }),
    type: SessionPayloadRef,
    description: 'Ends the mute-all state: streams published from now on are not muted.',
    args: { sessionId: t.arg.id({ required: true, description: 'The session id.' }) },
    resolve: (_root, args, ctx) => resolve.disableForceMute(args.sessionId, ctx),
  }),
}));
