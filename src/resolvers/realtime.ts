/**
 * Operations on what happens live in a session: streams, moderation, signals, SIP, the Audio
 * Connector and live captions. Most return nothing upstream; their results name the session
 * (or call) so the caller can select its fresh state.
 */
import type { CaptionLanguage, AudioRate } from '../client/constants.js';
import {
  validateAudioConnector,
  validateDialSip,
  validateDtmf,
  validateMuteAll,
  validateSignal,
  validateStartCaptions,
  validateStreamLayoutClasses,
} from '../client/validation.js';
import type { StreamLayoutClasses } from '../client/types.js';
import type { GatewayContext } from '../server/context.js';
import { asIs, call, inInput, type FieldMapper } from './errors.js';
import { headersFrom } from './input.js';
import type { StreamModel } from './loaders.js';
import { serviceToken } from './token.js';

export interface ConnectionRefModel {
  id: string;
  sessionId: string;
}
export interface SipCallModel {
  id: string;
  connectionId: string;
  streamId: string;
  sessionId: string;
}
export interface AudioConnectionModel {
  id: string;
  connectionId: string;
  sessionId: string;
}
export interface CaptionsModel {
  id: string;
  sessionId: string;
}

interface SessionPayload {
  sessionId: string;
}

/** After a write, later selections in the same request must read fresh state. */
async function write(ctx: GatewayContext, sessionId: string, fn: () => Promise<unknown>, mapField: FieldMapper = asIs): Promise<SessionPayload> {
  await call(fn, mapField);
  ctx.loaders.afterWrite();
  return { sessionId };
}

// --- streams

export function streams(sessionId: string, ctx: GatewayContext): Promise<StreamModel[]> {
  return call(() => ctx.loaders.streamsBySession.load(sessionId));
}

/** A stream of a session, served from the session's one stream list; null when absent. */
export async function stream(sessionId: string, id: string, ctx: GatewayContext): Promise<StreamModel | null> {
  const all = await call(() => ctx.loaders.streamsBySession.load(sessionId));
  return all.find((s) => s.id === id) ?? null;
}

export function setStreamLayoutClasses(sessionId: string, items: StreamLayoutClasses[], ctx: GatewayContext): Promise<SessionPayload> {
  return write(ctx, sessionId, () => {
    validateStreamLayoutClasses(sessionId, items);
    return ctx.client.setStreamLayoutClasses(sessionId, items);
  });
}

// --- moderation and signals

export function forceDisconnect(sessionId: string, connectionId: string, ctx: GatewayContext): Promise<SessionPayload> {
  return write(ctx, sessionId, () => ctx.client.forceDisconnect(sessionId, connectionId));
}

export function muteStream(sessionId: string, streamId: string, ctx: GatewayContext): Promise<SessionPayload> {
  return write(ctx, sessionId, () => ctx.client.muteStream(sessionId, streamId));
}

export function muteAllStreams(sessionId: string, excludedStreamIds: string[] | null | undefined, ctx: GatewayContext): Promise<SessionPayload> {
  const options = excludedStreamIds ? { excludedStreamIds } : {};
  return write(ctx, sessionId, () => {
    validateMuteAll(sessionId, options);
    return ctx.client.muteAllStreams(sessionId, options);
  });
}

export function disableForceMute(sessionId: string, ctx: GatewayContext): Promise<SessionPayload> {
  return write(ctx, sessionId, () => ctx.client.disableForceMute(sessionId));
}

export function sendSignal(
  args: { sessionId: string; connectionId?: string | null; type?: string | null; data: string },
  ctx: GatewayContext,
): Promise<SessionPayload> {
  const signal = {
    data: args.data,
    ...(args.type != null ? { type: args.type } : {}),
    ...(args.connectionId ? { connectionId: args.connectionId } : {}),
  };
  return write(ctx, args.sessionId, () => {
    validateSignal(args.sessionId, signal);
    return ctx.client.sendSignal(args.sessionId, signal);
  });
}

// --- SIP

export interface DialSipInput {
  sessionId: string;
  token?: string | null;
  uri: string;
  from?: string | null;
  headers?: { name: string; value: string }[] | null;
  auth?: { username: string; password: string } | null;
  secure?: boolean | null;
  video?: boolean | null;
  observeForceMute?: boolean | null;
  streams?: string[] | null;
}

export async function dialSip(input: DialSipInput, ctx: GatewayContext): Promise<SipCallModel> {
  const headers = headersFrom(input.headers);
  const options = {
    uri: input.uri,
    ...(input.from != null ? { from: input.from } : {}),
    ...(headers ? { headers } : {}),
    ...(input.auth ? { auth: input.auth } : {}),
    ...(input.secure != null ? { secure: input.secure } : {}),
    ...(input.video != null ? { video: input.video } : {}),
    ...(input.observeForceMute != null ? { observeForceMute: input.observeForceMute } : {}),
    ...(input.streams ? { streams: input.streams } : {}),
  };
  const result = await call(() => {
    const token = input.token ?? serviceToken(ctx, input.sessionId, 'publisher', 'sip');
    validateDialSip(input.sessionId, token, options);
    return ctx.client.dialSip(input.sessionId, token, options);
  }, inInput);
  ctx.loaders.afterWrite();
  return { ...result, sessionId: input.sessionId };
}

export function playDtmf(args: { sessionId: string; digits: string; connectionId?: string | null }, ctx: GatewayContext): Promise<SessionPayload> {
  const options = args.connectionId ? { connectionId: args.connectionId } : {};
  return write(ctx, args.sessionId, () => {
    validateDtmf(args.sessionId, args.digits, options);
    return ctx.client.playDtmf(args.sessionId, args.digits, options);
  });
}

// --- Audio Connector

export interface ConnectAudioInput {
  sessionId: string;
  token?: string | null;
  uri: string;
  streams?: string[] | null;
  headers?: { name: string; value: string }[] | null;
  audioRate?: AudioRate | null;
  bidirectional?: boolean | null;
}

export async function connectAudioStream(input: ConnectAudioInput, ctx: GatewayContext): Promise<AudioConnectionModel> {
  const headers = headersFrom(input.headers);
  const options = {
    uri: input.uri,
    ...(input.streams ? { streams: input.streams } : {}),
    ...(headers ? { headers } : {}),
    ...(input.audioRate != null ? { audioRate: input.audioRate } : {}),
    ...(input.bidirectional != null ? { bidirectional: input.bidirectional } : {}),
  };
  const result = await call(() => {
    const token = input.token ?? serviceToken(ctx, input.sessionId, 'publisher', 'audio-connector');
    validateAudioConnector(input.sessionId, token, options);
    return ctx.client.connectAudioStream(input.sessionId, token, options);
  }, inInput);
  ctx.loaders.afterWrite();
  return { ...result, sessionId: input.sessionId };
}

// --- live captions

export interface StartCaptionsInput {
  sessionId: string;
  token?: string | null;
  languageCode?: CaptionLanguage | null;
  maxDuration?: number | null;
  partialCaptions?: boolean | null;
  statusCallbackUrl?: string | null;
}

export async function startCaptions(input: StartCaptionsInput, ctx: GatewayContext): Promise<CaptionsModel> {
  const options = {
    ...(input.languageCode ? { languageCode: input.languageCode } : {}),
    ...(input.maxDuration != null ? { maxDuration: input.maxDuration } : {}),
    ...(input.partialCaptions != null ? { partialCaptions: input.partialCaptions } : {}),
    ...(input.statusCallbackUrl != null ? { statusCallbackUrl: input.statusCallbackUrl } : {}),
  };
  const result = await call(() => {
    // Captions need a moderator token (the platform's rule), unlike the other service participants.
    const token = input.token ?? serviceToken(ctx, input.sessionId, 'moderator', 'live-captions');
    validateStartCaptions(input.sessionId, token, options);
    return ctx.client.startCaptions(input.sessionId, token, options);
  }, inInput);
  ctx.loaders.afterWrite();
  return { id: result.captionsId, sessionId: input.sessionId };
}

export async function stopCaptions(id: string, ctx: GatewayContext): Promise<{ captionsId: string }> {
  await call(() => ctx.client.stopCaptions(id), asIs);
  ctx.loaders.afterWrite();
  return { captionsId: id };
}
