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

/** The names of a module's exports that are operations: functions taking the request context first. */
type OperationName<M> = { [P in keyof M]: M[P] extends (ctx: RequestContext, ...args: never[]) => unknown ? P : never }[keyof M] & string;

/** A module's operations `(ctx, ...args) => R` as the client's methods `(...args) => R`. */
type BoundOperations<M, K extends keyof M> = {
  [P in K]: M[P] extends (ctx: RequestContext, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * The named operations of an API-area module with the request context bound. Every operation
 * takes exactly the client method's arguments after `ctx`, so forwarding them all is the same
 * as naming them; the TypeScript check of the client object against `OpenTokClient` proves the
 * shapes match.
 */
function bindContext<M, K extends OperationName<M>>(ctx: RequestContext, module: M, names: readonly K[]): BoundOperations<M, K> {
  const bound: Record<string, unknown> = {};
  for (const name of names) {
    const operation = module[name] as (ctx: RequestContext, ...args: unknown[]) => unknown;
    const method = (...args: unknown[]) => operation(ctx, ...args);
    // Named like the operation, as the hand-written arrows were, for stack traces and inspection.
    Object.defineProperty(method, 'name', { value: name });
    bound[name] = method;
  }
  return bound as BoundOperations<M, K>;
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

    // Each line lists one module's operations; bindContext gives each its `ctx` first argument.
    ...bindContext(ctx, sessions, ['createSession']),
    generateToken: (sessionId, options) => generate(sessionId, options),
    ...bindContext(ctx, archives, ['startArchive', 'getArchive', 'listArchives', 'iterateArchives', 'stopArchive', 'deleteArchive', 'setArchiveLayout', 'addArchiveStream', 'removeArchiveStream']),
    ...bindContext(ctx, broadcasts, ['startBroadcast', 'getBroadcast', 'listBroadcasts', 'iterateBroadcasts', 'stopBroadcast', 'setBroadcastLayout', 'addBroadcastStream', 'removeBroadcastStream']),
    ...bindContext(ctx, streams, ['getStream', 'listStreams', 'setStreamLayoutClasses']),
    ...bindContext(ctx, moderation, ['forceDisconnect', 'muteStream', 'muteAllStreams', 'disableForceMute']),
    ...bindContext(ctx, signals, ['sendSignal']),
    ...bindContext(ctx, sip, ['dialSip', 'playDtmf']),
    ...bindContext(ctx, audio, ['connectAudioStream', 'stopAudioStream']),
    ...bindContext(ctx, renders, ['startRender', 'getRender', 'listRenders', 'iterateRenders', 'stopRender']),
    ...bindContext(ctx, captions, ['startCaptions', 'stopCaptions', 'getCaptions']),
    ...bindContext(ctx, callbacks, ['registerCallback', 'listCallbacks', 'unregisterCallback']),

    toJSON: redacted,
    [Symbol.for('nodejs.util.inspect.custom')]: () => ({ OpenTokClient: redacted() }),
  };
  return Object.freeze(client);
}
