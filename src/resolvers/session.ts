/** Sessions: OpenTok has no "get session" endpoint, so a session is its id, decoded. */
import { decodeSessionId, type DecodedSessionId } from '../client/session-id.js';
import { validateCreateSession } from '../client/validation.js';
import type { Archive, Broadcast, CreateSessionOptions, Session } from '../client/types.js';
import type { GatewayContext } from '../server/context.js';
import { call, inInput } from './errors.js';
import { checkPaging, pageModel, type PageModel } from './paging.js';
import type { StreamModel } from './loaders.js';

export interface SessionModel {
  id: string;
  decoded: DecodedSessionId | null;
  /** What createSession returned; absent when the session was only named by id. */
  created: Session | null;
}

export function sessionModel(id: string, created: Session | null = null): SessionModel {
  return { id, decoded: decodeSessionId(id), created };
}

/** A session by id, or null when the id is not in the OpenTok format. */
export function sessionById(id: string): SessionModel | null {
  const model = sessionModel(id);
  return model.decoded ? model : null;
}

export async function createSession(input: CreateSessionOptions, ctx: GatewayContext): Promise<SessionModel> {
  const session = await call(() => {
    validateCreateSession(input);
    return ctx.client.createSession(input);
  }, inInput);
  return sessionModel(session.sessionId, session);
}

export function sessionStreams(session: { id: string }, ctx: GatewayContext): Promise<StreamModel[]> {
  return call(() => ctx.loaders.streamsBySession.load(session.id));
}

export async function sessionArchives(session: { id: string }, args: { offset?: number | null; count?: number | null }, ctx: GatewayContext): Promise<PageModel<Archive>> {
  const { offset, count } = checkPaging(args.offset, args.count);
  return pageModel(await call(() => ctx.loaders.archivePage.load({ offset, count, sessionId: session.id })), offset);
}

export async function sessionBroadcasts(session: { id: string }, args: { offset?: number | null; count?: number | null }, ctx: GatewayContext): Promise<PageModel<Broadcast>> {
  const { offset, count } = checkPaging(args.offset, args.count);
  return pageModel(await call(() => ctx.loaders.broadcastPage.load({ offset, count, sessionId: session.id })), offset);
}

// The newest page is where a running archive or broadcast is (lists are newest first), and it is
// the same page `Session.archives` asks for by default, so the two share one upstream call.
const ACTIVE_ARCHIVE = new Set(['started', 'paused']);

export async function activeArchive(session: { id: string }, ctx: GatewayContext): Promise<Archive | null> {
  const page = await sessionArchives(session, {}, ctx);
  return page.items.find((archive) => ACTIVE_ARCHIVE.has(archive.status)) ?? null;
}

export async function activeBroadcast(session: { id: string }, ctx: GatewayContext): Promise<Broadcast | null> {
  const page = await sessionBroadcasts(session, {}, ctx);
  return page.items.find((broadcast) => broadcast.status === 'started') ?? null;
}
