/** Live broadcasts (HLS and RTMP). Root fields: `broadcast`, `broadcasts` and the broadcast mutations. */
import { LIMITS } from '../client/constants.js';
import * as resolve from '../resolvers/broadcast.js';
import { withoutNulls } from '../resolvers/input.js';
import { hasMore } from '../resolvers/paging.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { BroadcastStatusEnum, HlsStatusEnum, ResolutionEnum, RtmpStatusEnum, StreamModeEnum } from './enums.js';
import { LayoutInput } from './layout.js';
import { BroadcastPageRef, BroadcastRef, HlsOutputRef, IncludedStreamRef, RtmpOutputRef, SessionRef } from './refs.js';

HlsOutputRef.implement({
  description: 'The HLS output of a broadcast.',
  fields: (t) => ({
    url: t.string({ nullable: true, description: 'The HLS playlist URL (`.m3u8`); null until OpenTok assigns it.', resolve: (b) => b.broadcastUrls?.hls ?? null }),
    status: t.field({ type: HlsStatusEnum, nullable: true, description: 'State of the HLS stream, when OpenTok reports it.', resolve: (b) => b.broadcastUrls?.hlsStatus ?? null }),
    dvr: t.boolean({ description: 'Whether viewers can rewind (DVR).', resolve: (b) => b.settings?.hls?.dvr ?? false }),
    lowLatency: t.boolean({ description: 'Whether low-latency HLS is on.', resolve: (b) => b.settings?.hls?.lowLatency ?? false }),
  }),
});

RtmpOutputRef.implement({
  description: 'One RTMP output of a broadcast.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: true, description: 'The id given to the target at start, if any.' }),
    serverUrl: t.exposeString('serverUrl', { description: 'The RTMP server URL (`rtmp://` or `rtmps://`).' }),
    streamName: t.exposeString('streamName', { description: 'The stream name (or key) on that server.' }),
    status: t.field({ type: RtmpStatusEnum, nullable: true, description: 'State of this output, when OpenTok reports it.', resolve: (r) => r.status }),
  }),
});

BroadcastRef.implement({
  description: 'A live broadcast of a session to HLS viewers and/or RTMP servers.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The broadcast id (a UUID).' }),
    status: t.field({ type: BroadcastStatusEnum, description: 'Whether the broadcast is running.', resolve: (b) => b.status }),
    sessionId: t.exposeID('sessionId', { description: 'The broadcast session.' }),
    session: t.field({ type: SessionRef, description: 'The broadcast session.', resolve: (b) => sessionModel(b.sessionId) }),
    projectId: t.exposeString('projectId', { description: 'The API key (or Vonage application id) of the project.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the broadcast started.', resolve: (b) => b.createdAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the broadcast last changed, if OpenTok said.', resolve: (b) => b.updatedAt }),
    resolution: t.field({ type: ResolutionEnum, description: 'Video resolution.', resolve: (b) => b.resolution }),
    hls: t.field({
      type: HlsOutputRef,
      nullable: true,
      description: 'The HLS output; null when the broadcast has none.',
      resolve: (b) => (b.broadcastUrls?.hls != null || b.settings?.hls ? b : null),
    }),
    rtmp: t.field({ type: [RtmpOutputRef], description: 'The RTMP outputs (up to 5).', resolve: (b) => b.broadcastUrls?.rtmp ?? [] }),
    maxDuration: t.exposeInt('maxDuration', { nullable: true, description: 'The broadcast stops after this many seconds.' }),
    maxBitrate: t.exposeInt('maxBitrate', { nullable: true, description: 'Maximum video bitrate in bits per second, when set.' }),
    hasAudio: t.exposeBoolean('hasAudio', { description: 'Whether audio is broadcast.' }),
    hasVideo: t.exposeBoolean('hasVideo', { description: 'Whether video is broadcast.' }),
    streamMode: t.field({ type: StreamModeEnum, description: 'Whether streams are included automatically or by hand.', resolve: (b) => b.streamMode }),
    streams: t.field({
      type: [IncludedStreamRef],
      description: 'Streams included by hand (manual stream mode); empty in auto mode.',
      resolve: (b) => b.streams.map((s) => ({ ...s, sessionId: b.sessionId })),
    }),
    multiBroadcastTag: t.exposeString('multiBroadcastTag', { nullable: true, description: 'The tag given at start; OpenTok echoes it only in the start response.' }),
  }),
});

BroadcastPageRef.implement({
  description: 'One page of broadcasts, newest first.',
  fields: (t) => ({
    totalCount: t.exposeInt('totalCount', { description: 'How many broadcasts match in all, not just on this page.' }),
    items: t.field({ type: [BroadcastRef], description: 'The broadcasts of this page.', resolve: (p) => p.items }),
    hasMore: t.boolean({ description: 'Whether more broadcasts follow this page.', resolve: hasMore }),
  }),
});

const HlsInput = builder.inputType('HlsOutputInput', {
  description: 'Broadcast to HLS. Pass `{}` for the defaults.',
  fields: (t) => ({
    dvr: t.boolean({ description: 'Let viewers rewind up to 2 hours (not with lowLatency).' }),
    lowLatency: t.boolean({ description: 'Low-latency HLS (not with dvr).' }),
  }),
});

const RtmpInput = builder.inputType('RtmpOutputInput', {
  description: 'One RTMP server to push the broadcast to.',
  fields: (t) => ({
    id: t.id({ description: 'Your id for this target, echoed in its status.' }),
    serverUrl: t.string({ required: true, description: 'The RTMP server URL (`rtmp://` or `rtmps://`).' }),
    streamName: t.string({ required: true, description: 'The stream name (or key) on that server.' }),
  }),
});

const OutputsInput = builder.inputType('BroadcastOutputsInput', {
  description: 'Where the broadcast goes: HLS, RTMP, or both (at least one).',
  fields: (t) => ({
    hls: t.field({ type: HlsInput, description: 'Broadcast to HLS.' }),
    rtmp: t.field({ type: [RtmpInput], description: `Push to RTMP servers (up to ${LIMITS.rtmpTargetsMax}).` }),
  }),
});

const StartBroadcastInput = builder.inputType('StartBroadcastInput', {
  description: 'What to broadcast and where. The session must be routed and have a connected client.',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: 'The session to broadcast.' }),
    outputs: t.field({ type: OutputsInput, required: true, description: 'HLS and/or RTMP outputs.' }),
    layout: t.field({ type: LayoutInput, description: 'Default `BEST_FIT`.' }),
    maxDuration: t.int({ description: `Stop after this many seconds (${LIMITS.broadcastMaxDurationMin}–${LIMITS.broadcastMaxDurationMax}, default ${LIMITS.broadcastMaxDurationDefault}).` }),
    maxBitrate: t.int({ description: `Maximum video bitrate (${LIMITS.maxBitrateMin}–${LIMITS.maxBitrateMax} bits/s).` }),
    resolution: t.field({ type: ResolutionEnum, description: 'Default 640x480.' }),
    streamMode: t.field({ type: StreamModeEnum, description: 'Default `AUTO`.' }),
    multiBroadcastTag: t.string({ description: 'Lets several broadcasts of one session run at once, one per distinct tag.' }),
    hasAudio: t.boolean({ description: 'Broadcast audio (default true).' }),
    hasVideo: t.boolean({ description: 'Broadcast video (default true).' }),
  }),
});

const BroadcastPayloadRef = builder.objectRef<{ broadcastId: string }>('BroadcastPayload');
BroadcastPayloadRef.implement({
  description: 'The result of a change to a broadcast that returns no data upstream.',
  fields: (t) => ({
    broadcastId: t.exposeID('broadcastId', { description: 'The broadcast changed.' }),
    broadcast: t.field({
      type: BroadcastRef,
      nullable: true,
      description: 'The broadcast\'s fresh state (one upstream call, only when selected).',
      resolve: (p, _args, ctx) => resolve.broadcastById(p.broadcastId, ctx),
    }),
  }),
});

builder.queryFields((t) => ({
  broadcast: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, broadcast: args.id } }),
    type: BroadcastRef,
    nullable: true,
    description: 'A broadcast by id; null when there is no such broadcast (no error).',
    args: { id: t.arg.id({ required: true, description: 'The broadcast id.' }) },
    resolve: (_root, args, ctx) => resolve.broadcastById(args.id, ctx),
  }),
  broadcasts: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:read': true, session: args.sessionId ?? null } }),
    type: BroadcastPageRef,
    description: 'Broadcasts of the project, or of one session, newest first, by offset.',
    args: {
      offset: t.arg.int({ defaultValue: 0, description: 'How many of the newest broadcasts to skip.' }),
      count: t.arg.int({ defaultValue: 50, description: 'How many broadcasts to return (0–1000).' }),
      sessionId: t.arg.id({ description: 'Only broadcasts of this session.' }),
    },
    resolve: (_root, args, ctx) => resolve.broadcasts(args, ctx),
  }),
}));

builder.mutationFields((t) => ({
  startBroadcast: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.input.sessionId } }),
    type: BroadcastRef,
    description: 'Starts a live broadcast of a session.',
    args: { input: t.arg({ type: StartBroadcastInput, required: true, description: 'What to broadcast and where.' }) },
    resolve: (_root, args, ctx) => resolve.startBroadcast(withoutNulls(args.input), ctx),
  }),
  stopBroadcast: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, broadcast: args.id } }),
    type: BroadcastRef,
    description: 'Stops a broadcast.',
    args: { id: t.arg.id({ required: true, description: 'The broadcast id.' }) },
    resolve: (_root, args, ctx) => resolve.stopBroadcast(args.id, ctx),
  }),
  setBroadcastLayout: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, broadcast: args.id } }),
    type: BroadcastPayloadRef,
    description: 'Changes the layout of a running broadcast.',
    args: {
      id: t.arg.id({ required: true, description: 'The broadcast id.' }),
      layout: t.arg({ type: LayoutInput, required: true, description: 'The new layout.' }),
    },
    resolve: (_root, args, ctx) => resolve.setBroadcastLayout(args.id, withoutNulls(args.layout), ctx),
  }),
  addBroadcastStream: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, broadcast: args.id } }),
    type: BroadcastPayloadRef,
    description: 'Adds a stream to a broadcast in manual stream mode (or changes its audio/video selection).',
    args: {
      id: t.arg.id({ required: true, description: 'The broadcast id.' }),
      streamId: t.arg.id({ required: true, description: 'The stream to include.' }),
      hasAudio: t.arg.boolean({ description: 'Include the stream\'s audio (default true).' }),
      hasVideo: t.arg.boolean({ description: 'Include the stream\'s video (default true).' }),
    },
    resolve: (_root, args, ctx) => resolve.addBroadcastStream(args.id, args.streamId, withoutNulls({ hasAudio: args.hasAudio, hasVideo: args.hasVideo }), ctx),
  }),
  removeBroadcastStream: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, broadcast: args.id } }),
    type: BroadcastPayloadRef,
    description: 'Removes a stream from a broadcast in manual stream mode.',
    args: {
      id: t.arg.id({ required: true, description: 'The broadcast id.' }),
      streamId: t.arg.id({ required: true, description: 'The stream to remove.' }),
    },
    resolve: (_root, args, ctx) => resolve.removeBroadcastStream(args.id, args.streamId, ctx),
  }),
}));
