/** Experience Composer renders. Root fields: `render`, `renders`, `startRender`, `stopRender`. */
import { LIMITS } from '../client/constants.js';
import { withoutNulls } from '../resolvers/input.js';
import { hasMore } from '../resolvers/paging.js';
import * as resolve from '../resolvers/render.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { RenderStatusEnum, ResolutionEnum } from './enums.js';
import { RenderPageRef, RenderRef, SessionRef } from './refs.js';

RenderRef.implement({
  description: 'An Experience Composer render: a web page rendered in the cloud and published into a session as a stream.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The render id (a UUID).' }),
    status: t.field({ type: RenderStatusEnum, description: 'Where the render is in its lifecycle.', resolve: (r) => r.status }),
    sessionId: t.exposeID('sessionId', { description: 'The session the page is published into.' }),
    session: t.field({ type: SessionRef, description: 'The session the page is published into.', resolve: (r) => sessionModel(r.sessionId) }),
    projectId: t.exposeString('projectId', { description: 'The API key (or Vonage application id) of the project.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the render was started.', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the render last changed, if OpenTok said.', resolve: (r) => r.updatedAt }),
    url: t.exposeString('url', { description: 'The rendered web page.' }),
    resolution: t.field({ type: ResolutionEnum, nullable: true, description: 'The resolution of the rendered stream.', resolve: (r) => r.resolution }),
    streamId: t.exposeID('streamId', { nullable: true, description: 'The stream the render publishes, once started.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why the render stopped or failed.' }),
    name: t.exposeString('name', { nullable: true, description: 'The name of the render\'s stream.' }),
  }),
});

RenderPageRef.implement({
  description: 'One page of renders, newest first.',
  fields: (t) => ({
    totalCount: t.exposeInt('totalCount', { description: 'How many renders there are in all, not just on this page.' }),
    items: t.field({ type: [RenderRef], description: 'The renders of this page.', resolve: (p) => p.items }),
    hasMore: t.boolean({ description: 'Whether more renders follow this page.', resolve: hasMore }),
  }),
});

const StartRenderInput = builder.inputType('StartRenderInput', {
  description: 'The page to render and the session to publish it into.',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: 'The session to publish into (routed).' }),
    token: t.string({ description: 'A publisher token for the session; the gateway mints one when omitted.' }),
    url: t.string({ required: true, description: `The web page to render (${LIMITS.renderUrlMinLength}–${LIMITS.renderUrlMaxLength} characters).` }),
    maxDuration: t.int({ description: `Stop after this many seconds (${LIMITS.renderMaxDurationMin}–${LIMITS.renderMaxDurationMax}, default ${LIMITS.renderMaxDurationDefault}).` }),
    resolution: t.field({ type: ResolutionEnum, description: 'Default 1280x720.' }),
    name: t.string({ description: `Name of the published stream (${LIMITS.renderNameMinLength}–${LIMITS.renderNameMaxLength} characters).` }),
    statusCallbackUrl: t.string({ description: 'URL that receives this render\'s status changes.' }),
  }),
});

const RenderPayloadRef = builder.objectRef<{ renderId: string }>('RenderPayload');
RenderPayloadRef.implement({
  description: 'The result of stopping a render.',
  fields: (t) => ({
    renderId: t.exposeID('renderId', { description: 'The render stopped.' }),
    render: t.field({
      type: RenderRef,
      nullable: true,
      description: 'The render\'s fresh state (one upstream call, only when selected).',
      resolve: (p, _args, ctx) => resolve.renderById(p.renderId, ctx),
    }),
  }),
});

builder.queryFields((t) => ({
  render: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, render: args.id } }),
    type: RenderRef,
    nullable: true,
    description: 'A render by id; null when there is no such render (no error).',
    args: { id: t.arg.id({ required: true, description: 'The render id.' }) },
    resolve: (_root, args, ctx) => resolve.renderById(args.id, ctx),
  }),
  renders: t.field({
    authScopes: { $all: { 'video:read': true, allSessions: true } },
    type: RenderPageRef,
    description: 'Renders of the project, newest first, by offset.',
    args: {
      offset: t.arg.int({ defaultValue: 0, description: 'How many of the newest renders to skip.' }),
      count: t.arg.int({ defaultValue: 50, description: 'How many renders to return (0–1000).' }),
    },
    resolve: (_root, args, ctx) => resolve.renders(args, ctx),
  }),
}));

builder.mutationFields((t) => ({
  startRender: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.input.sessionId } }),
    type: RenderRef,
    description: 'Starts rendering a web page into a session.',
    args: { input: t.arg({ type: StartRenderInput, required: true, description: 'The page and the session.' }) },
    resolve: (_root, args, ctx) => resolve.startRender(withoutNulls(args.input), ctx),
  }),
  stopRender: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, render: args.id } }),
    type: RenderPayloadRef,
    description: 'Stops a render.',
    args: { id: t.arg.id({ required: true, description: 'The render id.' }) },
    resolve: (_root, args, ctx) => resolve.stopRender(args.id, ctx),
  }),
}));
