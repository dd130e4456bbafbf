/** Archives (recordings). Reads go through the loaders; writes refresh them. */
import { validateLayout, validateStartArchive, validateStreamSelection } from '../client/validation.js';
import type { Archive, Layout, StartArchiveOptions, StreamSelection } from '../client/types.js';
import type { GatewayContext } from '../server/context.js';
import { call, inInput, orNull, renamed } from './errors.js';
import { checkPaging, connectionArgs, connectionModel, pageModel, type ConnectionModel, type PageModel } from './paging.js';

// Client field names → this module's GraphQL argument names.
const byId = renamed({ archiveId: 'id' });
const byIdLayout = (field: string): string => (field === 'archiveId' ? 'id' : field === 'layout' || field.startsWith('layout.') ? field : `layout.${field}`);

export interface ListArgs {
  offset?: number | null;
  count?: number | null;
  sessionId?: string | null;
}

export function archiveById(id: string, ctx: GatewayContext): Promise<Archive | null> {
  return orNull(() => ctx.loaders.archiveById.load(id), byId);
}

export async function archives(args: ListArgs, ctx: GatewayContext): Promise<PageModel<Archive>> {
  const { offset, count } = checkPaging(args.offset, args.count);
  const page = await call(() => ctx.loaders.archivePage.load({ offset, count, ...(args.sessionId ? { sessionId: args.sessionId } : {}) }));
  return pageModel(page, offset);
}

export async function archivesConnection(
  args: { first?: number | null; after?: string | null; sessionId?: string | null },
  ctx: GatewayContext,
): Promise<ConnectionModel<Archive>> {
  const { offset, count } = connectionArgs(args.first, args.after);
  const page = await call(() => ctx.loaders.archivePage.load({ offset, count, ...(args.sessionId ? { sessionId: args.sessionId } : {}) }));
  return connectionModel(page, offset);
}

/** Replaces what the request knows about an archive with the state a write returned. */
function fresh(ctx: GatewayContext, archive: Archive): Archive {
  ctx.loaders.afterWrite();
  ctx.loaders.archiveById.prime(archive.id, archive);
  return archive;
}

export type StartArchiveInput = StartArchiveOptions & { sessionId: string };

export async function startArchive(input: StartArchiveInput, ctx: GatewayContext): Promise<Archive> {
  const { sessionId, ...options } = input;
  const archive = await call(() => {
    validateStartArchive(sessionId, options);
    return ctx.client.startArchive(sessionId, options);
  }, inInput);
  return fresh(ctx, archive);
}

export async function stopArchive(id: string, ctx: GatewayContext): Promise<Archive> {
  return fresh(ctx, await call(() => ctx.client.stopArchive(id), byId));
}

export async function deleteArchive(id: string, ctx: GatewayContext): Promise<{ deletedArchiveId: string }> {
  await call(() => ctx.client.deleteArchive(id), byId);
  ctx.loaders.afterWrite();
  return { deletedArchiveId: id };
}


export async function setArchiveLayout(id: string, layout: Layout, ctx: GatewayContext): Promise<{ archiveId: string }> {
  await call(() => {
    validateLayout(layout);
    return ctx.client.setArchiveLayout(id, layout);
  }, byIdLayout);
  ctx.loaders.afterWrite();
  return { archiveId: id };
}

export async function addArchiveStream(id: string, streamId: string, selection: StreamSelection, ctx: GatewayContext): Promise<{ archiveId: string }> {
  await call(() => {
    validateStreamSelection(selection);
    return ctx.client.addArchiveStream(id, streamId, selection);
  }, byId);
  ctx.loaders.afterWrite();
  return { archiveId: id };
}

export async function removeArchiveStream(id: string, streamId: string, ctx: GatewayContext): Promise<{ archiveId: string }> {
  await call(() => ctx.client.removeArchiveStream(id, streamId), byId);
  ctx.loaders.afterWrite();
  return { archiveId: id };
}
