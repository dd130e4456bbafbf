/**
 * Object refs of every domain type, declared before any is implemented, so domain files can
 * point at each other (Archive.session, Session.archives) without import cycles.
 * Each ref is implemented, with its description and fields, in its domain file.
 */
import type { Archive, Broadcast, IncludedStream, Render, RtmpTarget } from '../client/types.js';
import type { StreamModel } from '../resolvers/loaders.js';
import type { ConnectionModel, PageModel } from '../resolvers/paging.js';
import type { SessionModel } from '../resolvers/session.js';
import type { ClientTokenModel } from '../resolvers/token.js';
import type { AudioConnectionModel, CaptionsModel, ConnectionRefModel, SipCallModel } from '../resolvers/realtime.js';
import type { OpenTokEvent } from '../server/events.js';
import { builder } from './builder.js';

export const SessionRef = builder.objectRef<SessionModel>('Session');
export const StreamRef = builder.objectRef<StreamModel>('Stream');
export const ConnectionRef = builder.objectRef<ConnectionRefModel>('Connection');
export const ClientTokenRef = builder.objectRef<ClientTokenModel>('ClientToken');

export const ArchiveRef = builder.objectRef<Archive>('Archive');
export const ArchivePageRef = builder.objectRef<PageModel<Archive>>('ArchivePage');
export const ArchiveConnectionRef = builder.objectRef<ConnectionModel<Archive>>('ArchiveConnection');
export const ArchiveEdgeRef = builder.objectRef<ConnectionModel<Archive>['edges'][number]>('ArchiveEdge');
export const IncludedStreamRef = builder.objectRef<IncludedStream & { sessionId: string }>('IncludedStream');

export const BroadcastRef = builder.objectRef<Broadcast>('Broadcast');
export const BroadcastPageRef = builder.objectRef<PageModel<Broadcast>>('BroadcastPage');
export const HlsOutputRef = builder.objectRef<Broadcast>('HlsOutput');
export const RtmpOutputRef = builder.objectRef<RtmpTarget>('RtmpOutput');

export const RenderRef = builder.objectRef<Render>('Render');
export const RenderPageRef = builder.objectRef<PageModel<Render>>('RenderPage');

export const SipCallRef = builder.objectRef<SipCallModel>('SipCall');
export const AudioConnectionRef = builder.objectRef<AudioConnectionModel>('AudioConnection');
export const CaptionsRef = builder.objectRef<CaptionsModel>('Captions');

export const OpenTokEventRef = builder.objectRef<OpenTokEvent>('OpenTokEvent');

export interface PageInfoModel {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
export const PageInfoRef = builder.objectRef<PageInfoModel>('PageInfo');

/** The result of an operation on a session that returns nothing upstream. */
export const SessionPayloadRef = builder.objectRef<{ sessionId: string }>('SessionPayload');
