/**
 * OpenTok callbacks (session monitoring, archive, broadcast, render, captions, SIP) received on
 * `/webhooks/opentok`: `recentEvents` reads them, `opentokEvents` streams them (SSE).
 */
import { filterEvents, type OpenTokEvent } from '../server/events.js';
import { archiveById } from '../resolvers/archive.js';
import { badUserInput } from '../resolvers/errors.js';
import { broadcastById } from '../resolvers/broadcast.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { ArchiveRef, BroadcastRef, OpenTokEventRef, SessionRef } from './refs.js';

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const nestedId = (value: unknown): string | null =>
  value !== null && typeof value === 'object' ? str((value as Record<string, unknown>).id) : null;

OpenTokEventRef.implement({
  description: 'A callback OpenTok sent to the gateway (`/webhooks/opentok`).',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Order in which the gateway accepted the callback (callbacks have no id of their own); shared by all instances on one Redis.' }),
    type: t.exposeString('type', {
      description: 'The event: `sessionCreated`, `connectionCreated`, `streamCreated`, `streamDestroyed`, `connectionDestroyed`, `sessionDestroyed`, `archive`, `broadcast`, `render`, `captions`, `callCreated`, …',
    }),
    sessionId: t.exposeID('sessionId', { nullable: true, description: 'The session concerned, when the callback names one.' }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      description: 'The session concerned.',
      resolve: (e) => (e.sessionId ? sessionModel(e.sessionId) : null),
    }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the gateway received the callback.', resolve: (e) => e.receivedAt }),
    occurredAt: t.field({ type: 'DateTime', nullable: true, description: 'When OpenTok says it happened.', resolve: (e) => e.occurredAt }),
    connectionId: t.id({ nullable: true, description: 'The connection of a connection or stream event.', resolve: (e) => nestedId(e.payload.connection) ?? nestedId((e.payload.stream as Record<string, unknown> | undefined)?.connection) }),
    streamId: t.id({ nullable: true, description: 'The stream of a stream event.', resolve: (e) => nestedId(e.payload.stream) }),
    status: t.string({ nullable: true, description: 'The new status of an archive, broadcast, render or captions event.', resolve: (e) => str(e.payload.status) }),
    reason: t.string({ nullable: true, description: 'Why a connection or stream ended, or an archive stopped.', resolve: (e) => str(e.payload.reason) }),
    archive: t.field({
      type: ArchiveRef,
      nullable: true,
      description: 'For an `archive` event, the archive\'s current state (one upstream call, only when selected).',
      resolve: (e, _args, ctx) => (e.type === 'archive' && str(e.payload.id) ? archiveById(str(e.payload.id)!, ctx) : null),
    }),
    broadcast: t.field({
      type: BroadcastRef,
      nullable: true,
      description: 'For a `broadcast` event, the broadcast\'s current state (one upstream call, only when selected).',
      resolve: (e, _args, ctx) => (e.type === 'broadcast' && str(e.payload.id) ? broadcastById(str(e.payload.id)!, ctx) : null),
    }),
    payload: t.string({ description: 'The callback body exactly as received, as JSON text.', resolve: (e) => JSON.stringify(e.payload) }),
  }),
});

const matching = (source: AsyncIterable<OpenTokEvent>, sessionId: string | null | undefined, types: readonly string[] | null | undefined) =>
  filterEvents(source, (event) => (!sessionId || event.sessionId === sessionId) && (!types || types.length === 0 || types.includes(event.type)));

builder.queryFields((t) => ({
  recentEvents: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId ?? null } }),
    type: [OpenTokEventRef],
    description: 'The latest OpenTok callbacks the gateway accepted (the last 1000, shared by all instances on one Redis), newest first; redeliveries appear once.',
    args: {
      sessionId: t.arg.id({ description: 'Only events of this session.' }),
      last: t.arg.int({ defaultValue: 20, description: 'How many events to return (1–1000).' }),
    },
    resolve: (_root, args, ctx) => {
      const last = args.last ?? 20;
      if (!Number.isInteger(last) || last < 1 || last > 1000) throw badUserInput('last', `last must be between 1 and 1000; got ${last}`);
      return ctx.events.recent(args.sessionId, last);
    },
  }),
}));

builder.subscriptionType({ description: 'Live OpenTok events, over Server-Sent Events (`Accept: text/event-stream`) or WebSocket (`graphql-ws` protocol, same URL).' });

builder.subscriptionFields((t) => ({
  opentokEvents: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId ?? null } }),
    type: OpenTokEventRef,
    description: 'Every OpenTok callback as it arrives, optionally for one session and some event types.',
    args: {
      sessionId: t.arg.id({ description: 'Only events of this session.' }),
      types: t.arg.stringList({ description: 'Only these event types (e.g. `["streamCreated", "archive"]`).' }),
    },
    subscribe: (_root, args, ctx) => matching(ctx.events.subscribe(), args.sessionId, args.types),
    // One context serves the whole subscription: each event reads current state, not cached loads.
    resolve: (event, _args, ctx) => {
      ctx.loaders.afterWrite();
      return event;
    },
  }),
}));
