/**
 * The OpenTok (Vonage Video) REST client: `createOpenTokClient(config)` returns one typed,
 * promise-based function per operation of API.md §5.12, plus client-token minting.
 *
 * Credentials are captured in closures (the auth signer and the token generator) and never
 * stored on the client object, so `JSON.stringify(client)`, `util.inspect(client)`, errors and
 * logs cannot leak them.
 */
import * as archives from './archives.js';
import * as audio from './audio-connector.js';
import { createProjectAuth, type ProjectAuthOptions } from './auth.js';
import * as broadcasts from './broadcasts.js';
import * as callbacks from './callbacks.js';
import * as captions from './captions.js';
import { DEFAULT_OPENTOK_API_URL, DEFAULT_VONAGE_API_URL } from './constants.js';
import type { RequestContext } from './context.js';
import { createHttp } from './http.js';
import * as moderation from './moderation.js';
import * as renders from './renders.js';
import * as sessions from './sessions.js';
import * as signals from './signals.js';
import * as sip from './sip.js';
import * as streams from './streams.js';
import { createTokenGenerator } from './tokens.js';
import type { OpenTokClient, OpenTokClientConfig, OpenTokCredentials, RetryPolicy } from './types.js';

export * from './constants.js';
export * from './errors.js';
export * from './types.js';
export * from './validation.js';
export {
  createTokenGenerator,
  normalizeTokenOptions,
  verifyToken,
  type TokenGenerator,
  type TokenVerificationKeys,
  type VerifyTokenOptions,
} from './tokens.js';
export { decodeSessionId, encodeSessionId, formatOpenTokDate, sessionBelongsTo, type DecodedSessionId, type EncodeSessionIdInput } from './session-id.js';
export { createProjectAuth, type ProjectAuth, type ProjectAuthOptions } from './auth.js';
export { backoffDelay, extractServerMessage, parseRetryAfter } from './http.js';
export { createSessionForm, parseCreateSessionResponse } from './sessions.js';
export { parseArchive, startArchiveBody, layoutBody, addStreamBody } from './archives.js';
export { parseBroadcast, startBroadcastBody } from './broadcasts.js';
export { parseStream } from './streams.js';
export { parseRender, startRenderBody } from './renders.js';
export { startCaptionsBody } from './captions.js';
export { dialSipBody } from './sip.js';
export { audioConnectorBody } from './audio-connector.js';

/** This package's version, sent in the default User-Agent. */
export const CLIENT_VERSION = '0.1.0';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_POLICY: Readonly<Required<RetryPolicy>> = Object.freeze({ retries: 2, baseDelayMs: 200, maxDelayMs: 5_000 });

/** Options that only tests and benchmarks need. */
export interface OpenTokClientInternals {
  auth?: ProjectAuthOptions;
}

function credentialsOf(config: OpenTokClientConfig): OpenTokCredentials {
  if (config === null || typeof config !== 'object') throw new TypeError('createOpenTokClient needs a config object');
  const c = config as Partial<{ apiKey: unknown; apiSecret: unknown; applicationId: unknown; privateKey: unknown }>;
  if (c.apiKey !== undefined || c.apiSecret !== undefined) {
    const apiKey = typeof c.apiKey === 'number' ? String(c.apiKey) : c.apiKey;
    if (typeof apiKey !== 'string' || apiKey.trim() === '') throw new TypeError('apiKey must be a non-empty string');
    if (typeof c.apiSecret !== 'string' || c.apiSecret === '') throw new TypeError('apiSecret must be a non-empty string');
    return { apiKey, apiSecret: c.apiSecret };
  }
  if (c.applicationId !== undefined || c.privateKey !== undefined) {
    if (typeof c.applicationId !== 'string' || c.applicationId.trim() === '') throw new TypeError('applicationId must be a non-empty string');
    if (typeof c.privateKey !== 'string' || !c.privateKey.includes('PRIVATE KEY')) throw new TypeError('privateKey must be a PEM private key');
    return { applicationId: c.applicationId, privateKey: c.privateKey };
  }
  throw new TypeError('createOpenTokClient needs apiKey + apiSecret (OpenTok) or applicationId + privateKey (Vonage)');
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number; got ${String(value)}`);
  }
  return value;
}

/** Creates a client for one OpenTok project (API key + secret) or Vonage application (id + private key). */
export function createOpenTokClient(config: OpenTokClientConfig, internals: OpenTokClientInternals = {}): OpenTokClient {
  const credentials = credentialsOf(config);
  const mode = 'apiKey' in credentials ? ('opentok' as const) : ('vonage' as const);
  const apiUrl = (config.apiUrl ?? (mode === 'opentok' ? DEFAULT_OPENTOK_API_URL : DEFAULT_VONAGE_API_URL)).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/i.test(apiUrl)) throw new TypeError(`apiUrl must be an http(s) URL; got ${JSON.stringify(apiUrl)}`);
  const timeoutMs = positive('timeoutMs', config.timeoutMs, DEFAULT_TIMEOUT_MS);
  const retry: Required<RetryPolicy> = {
    retries: Math.floor(positive('retry.retries', config.retry?.retries, DEFAULT_RETRY_POLICY.retries, true)),
    baseDelayMs: positive('retry.baseDelayMs', config.retry?.baseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs, true),
    maxDelayMs: positive('retry.maxDelayMs', config.retry?.maxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs, true),
  };
  const userAgent = config.userAgent ?? `opentok-gateway/${CLIENT_VERSION}`;

  const auth = createProjectAuth(credentials, internals.auth);
  const http = createHttp({ apiUrl, timeoutMs, retry, userAgent, fetch: config.fetch, auth });
  const ctx: RequestContext = { projectId: auth.projectId, http };
  const generate = createTokenGenerator(credentials);

  // A URL with user-info (a proxy's credentials) is shown without it.
  const shownUrl = apiUrl.replace(/^(https?:\/\/)[^/@]*@/i, '$1[redacted]@');
  const redacted = (): Record<string, unknown> => ({
    mode,
    projectId: auth.projectId,
    apiUrl: shownUrl,
    timeoutMs,
    retry: { ...retry },
    userAgent,
    credentials: '[redacted]',
  });

  const client: OpenTokClient & { [key: symbol]: unknown } = {
    mode,
    projectId: auth.projectId,
    apiUrl,

    createSession: (options, call) => sessions.createSession(ctx, options, call),
    generateToken: (sessionId, options) => generate(sessionId, options),

    startArchive: (sessionId, options, call) => archives.startArchive(ctx, sessionId, options, call),
    getArchive: (archiveId, call) => archives.getArchive(ctx, archiveId, call),
    listArchives: (options, call) => archives.listArchives(ctx, options, call),
    iterateArchives: (options, call) => archives.iterateArchives(ctx, options, call),
    stopArchive: (archiveId, call) => archives.stopArchive(ctx, archiveId, call),
    deleteArchive: (archiveId, call) => archives.deleteArchive(ctx, archiveId, call),
    setArchiveLayout: (archiveId, layout, call) => archives.setArchiveLayout(ctx, archiveId, layout, call),
    addArchiveStream: (archiveId, streamId, options, call) => archives.addArchiveStream(ctx, archiveId, streamId, options, call),
    removeArchiveStream: (archiveId, streamId, call) => archives.removeArchiveStream(ctx, archiveId, streamId, call),

    startBroadcast: (sessionId, options, call) => broadcasts.startBroadcast(ctx, sessionId, options, call),
    getBroadcast: (broadcastId, call) => broadcasts.getBroadcast(ctx, broadcastId, call),
    listBroadcasts: (options, call) => broadcasts.listBroadcasts(ctx, options, call),
    iterateBroadcasts: (options, call) => broadcasts.iterateBroadcasts(ctx, options, call),
    stopBroadcast: (broadcastId, call) => broadcasts.stopBroadcast(ctx, broadcastId, call),
    setBroadcastLayout: (broadcastId, layout, call) => broadcasts.setBroadcastLayout(ctx, broadcastId, layout, call),
    addBroadcastStream: (broadcastId, streamId, options, call) => broadcasts.addBroadcastStream(ctx, broadcastId, streamId, options, call),
    removeBroadcastStream: (broadcastId, streamId, call) => broadcasts.removeBroadcastStream(ctx, broadcastId, streamId, call),

    getStream: (sessionId, streamId, call) => streams.getStream(ctx, sessionId, streamId, call),
    listStreams: (sessionId, call) => streams.listStreams(ctx, sessionId, call),
    setStreamLayoutClasses: (sessionId, items, call) => streams.setStreamLayoutClasses(ctx, sessionId, items, call),

    forceDisconnect: (sessionId, connectionId, call) => moderation.forceDisconnect(ctx, sessionId, connectionId, call),
    muteStream: (sessionId, streamId, call) => moderation.muteStream(ctx, sessionId, streamId, call),
    muteAllStreams: (sessionId, options, call) => moderation.muteAllStreams(ctx, sessionId, options, call),
    disableForceMute: (sessionId, call) => moderation.disableForceMute(ctx, sessionId, call),

    sendSignal: (sessionId, signal, call) => signals.sendSignal(ctx, sessionId, signal, call),

    dialSip: (sessionId, token, options, call) => sip.dialSip(ctx, sessionId, token, options, call),
    playDtmf: (sessionId, digits, options, call) => sip.playDtmf(ctx, sessionId, digits, options, call),

    connectAudioStream: (sessionId, token, options, call) => audio.connectAudioStream(ctx, sessionId, token, options, call),
    stopAudioStream: (callId, call) => audio.stopAudioStream(ctx, callId, call),

    startRender: (options, call) => renders.startRender(ctx, options, call),
    getRender: (renderId, call) => renders.getRender(ctx, renderId, call),
    listRenders: (options, call) => renders.listRenders(ctx, options, call),
    iterateRenders: (options, call) => renders.iterateRenders(ctx, options, call),
    stopRender: (renderId, call) => renders.stopRender(ctx, renderId, call),

    startCaptions: (sessionId, token, options, call) => captions.startCaptions(ctx, sessionId, token, options, call),
    stopCaptions: (captionsId, call) => captions.stopCaptions(ctx, captionsId, call),
    getCaptions: (captionsId, call) => captions.getCaptions(ctx, captionsId, call),

    registerCallback: (options, call) => callbacks.registerCallback(ctx, options, call),
    listCallbacks: (call) => callbacks.listCallbacks(ctx, call),
    unregisterCallback: (callbackId, call) => callbacks.unregisterCallback(ctx, callbackId, call),

    toJSON: redacted,
    [Symbol.for('nodejs.util.inspect.custom')]: () => ({ OpenTokClient: redacted() }),
  };
  return Object.freeze(client);
}
