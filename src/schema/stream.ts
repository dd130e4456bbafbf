/** Streams published in a session. Root fields: `stream`, `streams`, `setStreamLayoutClasses`. */
import * as resolve from '../resolvers/realtime.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { VideoTypeEnum } from './enums.js';
import { ConnectionRef, SessionPayloadRef, SessionRef, StreamRef } from './refs.js';

StreamRef.implement({
  description: 'A stream a client (or a SIP call, render or Audio Connector) publishes into a session.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The stream id.' }),
    sessionId: t.exposeID('sessionId', { description: 'The session the stream is published in.' }),
    session: t.field({ type: SessionRef, description: 'The session the stream is published in.', resolve: (s) => sessionModel(s.sessionId) }),
    videoType: t.field({ type: VideoTypeEnum, description: 'Where the video comes from.', resolve: (s) => s.videoType }),
    name: t.exposeString('name', { description: 'The name the publisher gave the stream (may be empty).' }),
    layoutClassList: t.exposeStringList('layoutClassList', {
      description: 'Layout classes of the stream, used by composed archive and broadcast layouts (e.g. `focus`).',
    }),
  }),
});

ConnectionRef.implement({
  description: 'A client connection to a session. OpenTok does not list connections; the gateway returns the ones it creates (SIP calls, Audio Connector).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The connection id (use it with `forceDisconnect`, `sendSignal`, `playDtmf`).' }),
    sessionId: t.exposeID('sessionId', { description: 'The session of the connection.' }),
    session: t.field({ type: SessionRef, description: 'The session of the connection.', resolve: (c) => sessionModel(c.sessionId) }),
  }),
});

const StreamLayoutClassesInput = builder.inputType('StreamLayoutClassesInput', {
  description: 'The new layout classes of one stream.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The stream id.' }),
    layoutClassList: t.stringList({ required: true, description: 'The complete new list of layout classes (empty to clear).' }),
  }),
});

builder.queryFields((t) => ({
  stream: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId } }),
    type: StreamRef,
    nullable: true,
    description: 'A stream of a session; null when it is not (or no longer) published. Served from the session\'s stream list: any number of lookups in one session cost one upstream call.',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session id.' }),
      id: t.arg.id({ required: true, description: 'The stream id.' }),
    },
    resolve: (_root, args, ctx) => resolve.stream(args.sessionId, args.id, ctx),
  }),
  streams: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId } }),
    type: [StreamRef],
    description: 'Every stream published in a session now.',
    args: { sessionId: t.arg.id({ required: true, description: 'The session id.' }) },
    resolve: (_root, args, ctx) => resolve.streams(args.sessionId, ctx),
  }),
}));

builder.mutationFields((t) => ({
  setStreamLayoutClasses: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.sessionId } }),
    type: SessionPayloadRef,
    description: 'Sets the layout classes of streams of a session (they drive composed archive and broadcast layouts).',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session id.' }),
      items: t.arg({ type: [StreamLayoutClassesInput], required: true, description: 'The streams to change, each with its complete new class list.' }),
    },
    resolve: (_root, args, ctx) => resolve.setStreamLayoutClasses(args.sessionId, args.items, ctx),
  }),
}));
