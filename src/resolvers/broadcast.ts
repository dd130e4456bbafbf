/** Live broadcasts (HLS and RTMP). Reads go through the loaders; writes refresh them. */
import { validateLayout, validateStartBroadcast, validateStreamSelection } from '../client/validation.js';
import type { Broadcast, Layout, StartBroadcastOptions, StreamSelection } from '../client/types.js';
import type { GatewayContext } from '../server/context.js';
import type { ListArgs } from './archive.js';
import { call, inInput, orNull, renamed } from './errors.js';
import { checkPaging, pageModel, type PageModel } from './paging.js';

// Client field names → this module's GraphQL argument names.
const byId = renamed({ broadcastId: 'id' });
const byIdLayout = (field: string): string => (field === 'broadcastId' ? 'id' : field === 'layout' || field.startsWith('layout.') ? field : `layout.${field}`);

export function broadcastById(id: string, ctx: GatewayContext): Promise<Broadcast | null> {
  return orNull(() => ctx.loaders.broadcastById.load(id), byId);
}

export async function broadcasts(args: ListArgs, ctx: GatewayContext): Promise<PageModel<Broadcast>> {
  const { offset, count } = checkPaging(args.offset, args.count);
  const page = await call(() => ctx.loaders.broadcastPage.load({ offset, count, ...(args.sessionId ? { sessionId: args.sessionId } : {}) }));
  return pageModel(page, offset);
}

function fresh(ctx: GatewayContext, broadcast: Broadcast): Broadcast {
  ctx.loaders.afterWrite();
  ctx.loaders.broadcastById.prime(broadcast.id, broadcast);
  return broadcast;
}

export type StartBroadcastInput = StartBroadcastOptions & { sessionId: string };

export async function startBroadcast(input: StartBroadcastInput, ctx: GatewayContext): Promise<Broadcast> {
  const { sessionId, ...options } = input;
  const broadcast = await call(() => {
    validateStartBroadcast(sessionId, options);
    return ctx.client.startBroadcast(sessionId, options);
  }, inInput);
  return fresh(ctx, broadcast);
}

export async function stopBroadcast(id: string, ctx: GatewayContext): Promise<Broadcast> {
  return fresh(ctx, await call(() => ctx.client.stopBroadcast(id), byId));
}


export async function setBroadcastLayout(id: string, layout: Layout, ctx: GatewayContext): Promise<{ broadcastId: string }> {
  await call(() => {
    validateLayout(layout);
    return ctx.client.setBroadcastLayout(id, layout);
  }, byIdLayout);
  ctx.loaders.afterWrite();
  return { broadcastId: id };
}

export async function addBroadcastStream(id: string, streamId: string, selection: StreamSelection, ctx: GatewayContext): Promise<{ broadcastId: string }> {
  await call(() => {
    validateStreamSelection(selection);
    return ctx.client.addBroadcastStream(id, streamId, selection);
  }, byId);
  ctx.loaders.afterWrite();
  return { broadcastId: id };
}

export async function removeBroadcastStream(id: string, streamId: string, ctx: GatewayContext): Promise<{ broadcastId: string }> {
  await call(() => ctx.client.removeBroadcastStream(id, streamId), byId);
  ctx.loaders.afterWrite();
  return { broadcastId: id };
}
