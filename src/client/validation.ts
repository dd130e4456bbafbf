/**
 * Client-side validation of every operation's input (API.md §5, §6.5, §7.1), as pure functions.
 *
 * The client runs these before each request and the GraphQL layer calls them directly, so a
 * bad input is rejected once, at the edge, with an `OpenTokValidationError` whose `field` is the
 * option path as spelled in types.ts (`outputs.rtmp`, `layout.stylesheet`, `expireTime`) and whose
 * message says what was wrong and what is allowed.
 */
import {
  ARCHIVE_MODES,
  AUDIO_RATES,
  CALLBACK_GROUPS,
  CAPTION_LANGUAGES,
  DTMF_DIGITS_PATTERN,
  LAYOUT_TYPES,
  LIMITS,
  MEDIA_MODES,
  OUTPUT_MODES,
  RESOLUTIONS,
  SCREENSHARE_LAYOUT_TYPES,
  SIGNAL_TYPE_PATTERN,
  STREAM_MODES,
} from './constants.js';
import { OpenTokValidationError } from './errors.js';
import { normalizeTokenOptions } from './tokens.js';
import type {
  AudioConnectorOptions,
  CreateSessionOptions,
  DialSipOptions,
  IterateOptions,
  Layout,
  ListOptions,
  MuteAllOptions,
  PlayDtmfOptions,
  RegisterCallbackOptions,
  SessionListOptions,
  Signal,
  StartArchiveOptions,
  StartBroadcastOptions,
  StartCaptionsOptions,
  StartRenderOptions,
  StreamLayoutClasses,
  StreamSelection,
  TokenOptions,
} from './types.js';

// ---------------------------------------------------------------------------
// Building blocks

function fail(field: string, message: string, operation: string | undefined): never {
  throw new OpenTokValidationError(field, message, operation);
}

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Requires a non-empty string id (session, archive, stream, connection…). */
export function validateId(field: string, value: unknown, operation?: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    fail(field, `${field} is required and must be a non-empty string; got ${show(value)}`, operation);
  }
}

function optionalObject(field: string, value: unknown, operation: string | undefined): asserts value is Record<string, unknown> | undefined {
  if (value !== undefined && !isObject(value)) fail(field, `${field} must be an object; got ${show(value)}`, operation);
}

function optionalBoolean(field: string, value: unknown, operation: string | undefined): void {
  if (value !== undefined && typeof value !== 'boolean') fail(field, `${field} must be true or false; got ${show(value)}`, operation);
}

function optionalString(field: string, value: unknown, operation: string | undefined, min = 0, max = Infinity): void {
  if (value === undefined) return;
  if (typeof value !== 'string') fail(field, `${field} must be a string; got ${show(value)}`, operation);
  if (value.length < min || value.length > max) {
    const range = max === Infinity ? `at least ${min}` : `${min}–${max}`;
    fail(field, `${field} must be ${range} characters long; got ${value.length}`, operation);
  }
}

function optionalOneOf<T extends string | number>(field: string, value: unknown, allowed: readonly T[], operation: string | undefined): void {
  if (value !== undefined && !allowed.includes(value as T)) {
    fail(field, `${field} must be one of ${allowed.join(', ')}; got ${show(value)}`, operation);
  }
}

function optionalInteger(field: string, value: unknown, min: number, max: number, operation: string | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : `between ${min} and ${max}`;
    fail(field, `${field} must be an integer ${range}; got ${show(value)}`, operation);
  }
}

function optionalUrl(field: string, value: unknown, schemes: readonly string[], operation: string | undefined, min = 1, max = 2048): void {
  if (value === undefined) return;
  optionalString(field, value, operation, min, max);
  const text = value as string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/[^/\s]/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || !schemes.includes(scheme)) {
    fail(field, `${field} must be a ${schemes.map((s) => `${s}://`).join(' or ')} URL; got ${show(text)}`, operation);
  }
}

function optionalStringArray(field: string, value: unknown, operation: string | undefined): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(field, `${field} must be an array of strings; got ${show(value)}`, operation);
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') fail(`${field}[${i}]`, `${field}[${i}] must be a non-empty string; got ${show(item)}`, operation);
  });
}

function optionalStringRecord(field: string, value: unknown, operation: string | undefined): void {
  if (value === undefined) return;
  if (!isObject(value)) fail(field, `${field} must be an object of string values; got ${show(value)}`, operation);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') fail(`${field}.${key}`, `${field}.${key} must be a string; got ${show(item)}`, operation);
  }
}

function mediaNotBothOff(prefix: string, hasAudio: unknown, hasVideo: unknown, operation: string | undefined): void {
  if (hasAudio === false && hasVideo === false) {
    fail(`${prefix}hasVideo`, `${prefix}hasAudio and ${prefix}hasVideo cannot both be false: include audio, video or both`, operation);
  }
}

// A strict dotted quad: four 0–255 decimals without leading zeros (IPv6 is not supported upstream).
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

// ---------------------------------------------------------------------------
// Sessions and tokens

/** Rules of `createSession` (Ruby's session-create checks, API.md §5.1, §7.1). */
export function validateCreateSession(options: CreateSessionOptions = {}): void {
  const op = 'createSession';
  optionalObject('options', options, op);
  optionalOneOf('mediaMode', options.mediaMode, MEDIA_MODES, op);
  optionalOneOf('archiveMode', options.archiveMode, ARCHIVE_MODES, op);
  optionalString('archiveName', options.archiveName, op, 1, LIMITS.archiveNameMaxLength);
  optionalOneOf('archiveResolution', options.archiveResolution, RESOLUTIONS, op);
  if (options.location !== undefined) {
    if (typeof options.location !== 'string' || !IPV4.test(options.location)) {
      fail('location', `location must be an IPv4 address such as 12.34.56.78; got ${show(options.location)}`, op);
    }
  }
  optionalBoolean('e2ee', options.e2ee, op);
  const mediaMode = options.mediaMode ?? 'routed';
  const archiveMode = options.archiveMode ?? 'manual';
  if (archiveMode === 'always' && mediaMode !== 'routed') {
    fail('archiveMode', 'archiveMode always needs mediaMode routed: a relayed session cannot be archived', op);
  }
  if (archiveMode !== 'always') {
    if (options.archiveName !== undefined) fail('archiveName', 'archiveName is only allowed with archiveMode always', op);
    if (options.archiveResolution !== undefined) fail('archiveResolution', 'archiveResolution is only allowed with archiveMode always', op);
  }
  if (options.e2ee === true) {
    if (mediaMode !== 'routed') fail('e2ee', 'e2ee needs mediaMode routed: a relayed session cannot be end-to-end encrypted', op);
    if (archiveMode === 'always') fail('e2ee', 'e2ee cannot be combined with archiveMode always', op);
  }
}

/** Rules of `generateToken` (API.md §6.5): session id, role, expiry within 30 days, data and class-list lengths, token type. */
export function validateTokenOptions(sessionId: string, options: TokenOptions = {}, now: Date = new Date()): void {
  if (typeof sessionId !== 'string' || sessionId === '') fail('sessionId', 'sessionId is required and must be a non-empty string', 'generateToken');
  optionalObject('options', options, 'generateToken');
  normalizeTokenOptions(options, Math.floor(now.getTime() / 1000));
}

// ---------------------------------------------------------------------------
// Layouts, lists, stream selections

/** A layout: type from the closed set, stylesheet only (and always) with custom, screenshareType only with bestFit. */
export function validateLayout(layout: Layout, operation?: string, field = 'layout'): void {
  if (!isObject(layout)) fail(field, `${field} must be an object with a type; got ${show(layout)}`, operation);
  if (layout.type === undefined) fail(`${field}.type`, `${field}.type is required: one of ${LAYOUT_TYPES.join(', ')}`, operation);
  optionalOneOf(`${field}.type`, layout.type, LAYOUT_TYPES, operation);
  if (layout.type === 'custom') {
    if (typeof layout.stylesheet !== 'string' || layout.stylesheet.trim() === '') {
      fail(`${field}.stylesheet`, `${field}.stylesheet is required with type custom (a CSS string)`, operation);
    }
  } else if (layout.stylesheet !== undefined) {
    fail(`${field}.stylesheet`, `${field}.stylesheet is only allowed with type custom; got type ${show(layout.type)}`, operation);
  }
  if (layout.screenshareType !== undefined) {
    optionalOneOf(`${field}.screenshareType`, layout.screenshareType, SCREENSHARE_LAYOUT_TYPES, operation);
    if (layout.type !== 'bestFit') {
      fail(`${field}.screenshareType`, `${field}.screenshareType needs type bestFit; got type ${show(layout.type)}`, operation);
    }
  }
}

/** List paging: offset ≥ 0, count 0..1000, optional non-empty sessionId. */
export function validateListOptions(options: SessionListOptions | ListOptions = {}, operation?: string): void {
  optionalObject('options', options, operation);
  optionalInteger('offset', options.offset, 0, Number.MAX_SAFE_INTEGER, operation);
  optionalInteger('count', options.count, 0, LIMITS.listCountMax, operation);
  const { sessionId } = options as SessionListOptions;
  if (sessionId !== undefined) validateId('sessionId', sessionId, operation);
}

/** Iterator paging: pageSize 1..1000 (0 would never make progress). */
export function validateIterateOptions(options: IterateOptions = {}, operation?: string): void {
  optionalObject('options', options, operation);
  optionalInteger('pageSize', options.pageSize, 1, LIMITS.listCountMax, operation);
  if (options.sessionId !== undefined) validateId('sessionId', options.sessionId, operation);
}

/** Adding a stream to a manual-mode archive or broadcast. */
export function validateStreamSelection(options: StreamSelection = {}, operation?: string): void {
  optionalObject('options', options, operation);
  optionalBoolean('hasAudio', options.hasAudio, operation);
  optionalBoolean('hasVideo', options.hasVideo, operation);
  mediaNotBothOff('', options.hasAudio, options.hasVideo, operation);
}

// ---------------------------------------------------------------------------
// Archives and broadcasts

/** Rules of `startArchive` (API.md §5.2.1). */
export function validateStartArchive(sessionId: string, options: StartArchiveOptions = {}): void {
  const op = 'startArchive';
  validateId('sessionId', sessionId, op);
  optionalObject('options', options, op);
  optionalString('name', options.name, op);
  optionalBoolean('hasAudio', options.hasAudio, op);
  optionalBoolean('hasVideo', options.hasVideo, op);
  mediaNotBothOff('', options.hasAudio, options.hasVideo, op);
  optionalOneOf('outputMode', options.outputMode, OUTPUT_MODES, op);
  optionalOneOf('resolution', options.resolution, RESOLUTIONS, op);
  optionalOneOf('streamMode', options.streamMode, STREAM_MODES, op);
  const individual = options.outputMode === 'individual';
  if (individual && options.resolution !== undefined) fail('resolution', 'resolution is only allowed with outputMode composed', op);
  if (options.layout !== undefined) {
    if (individual) fail('layout', 'layout is only allowed with outputMode composed', op);
    validateLayout(options.layout, op);
  }
  if (options.multiArchiveTag !== undefined) validateId('multiArchiveTag', options.multiArchiveTag, op);
  optionalInteger('maxBitrate', options.maxBitrate, LIMITS.maxBitrateMin, LIMITS.maxBitrateMax, op);
  optionalInteger('quantizationParameter', options.quantizationParameter, LIMITS.quantizationParameterMin, LIMITS.quantizationParameterMax, op);
  if (options.maxBitrate !== undefined && options.quantizationParameter !== undefined) {
    fail('quantizationParameter', 'maxBitrate and quantizationParameter are mutually exclusive: give one of them', op);
  }
  if (individual && options.maxBitrate !== undefined) fail('maxBitrate', 'maxBitrate is only allowed with outputMode composed', op);
  optionalBoolean('hasTranscription', options.hasTranscription, op);
  optionalObject('transcriptionProperties', options.transcriptionProperties, op);
  if (options.transcriptionProperties !== undefined) {
    const { primaryLanguageCode, hasSummary } = options.transcriptionProperties;
    if (primaryLanguageCode !== undefined && (typeof primaryLanguageCode !== 'string' || !/^[a-z]{2,3}-[A-Z]{2}$/.test(primaryLanguageCode))) {
      fail('transcriptionProperties.primaryLanguageCode', `transcriptionProperties.primaryLanguageCode must be a BCP-47 code like en-US; got ${show(primaryLanguageCode)}`, op);
    }
    optionalBoolean('transcriptionProperties.hasSummary', hasSummary, op);
    if (options.hasTranscription === false) {
      fail('transcriptionProperties', 'transcriptionProperties needs hasTranscription true', op);
    }
  }
}

/** Rules of `startBroadcast` (API.md §5.3.1). */
export function validateStartBroadcast(sessionId: string, options: StartBroadcastOptions): void {
  const op = 'startBroadcast';
  validateId('sessionId', sessionId, op);
  if (!isObject(options)) fail('options', 'options are required: at least outputs', op);
  const { outputs } = options;
  if (!isObject(outputs)) fail('outputs', 'outputs is required: give outputs.hls, outputs.rtmp or both', op);
  const { hls, rtmp } = outputs;
  if (hls === undefined && rtmp === undefined) fail('outputs', 'outputs needs at least one output: hls or rtmp', op);
  if (hls !== undefined) {
    optionalObject('outputs.hls', hls, op);
    optionalBoolean('outputs.hls.dvr', hls.dvr, op);
    optionalBoolean('outputs.hls.lowLatency', hls.lowLatency, op);
    if (hls.dvr === true && hls.lowLatency === true) fail('outputs.hls.lowLatency', 'outputs.hls.dvr and outputs.hls.lowLatency cannot both be true', op);
  }
  if (rtmp !== undefined) {
    if (!Array.isArray(rtmp)) fail('outputs.rtmp', 'outputs.rtmp must be an array of targets', op);
    if (rtmp.length === 0 && hls === undefined) fail('outputs.rtmp', 'outputs.rtmp is empty and there is no hls output: give at least one output', op);
    if (rtmp.length > LIMITS.rtmpTargetsMax) fail('outputs.rtmp', `outputs.rtmp allows at most ${LIMITS.rtmpTargetsMax} targets; got ${rtmp.length}`, op);
    rtmp.forEach((target, i) => {
      const field = `outputs.rtmp[${i}]`;
      if (!isObject(target)) fail(field, `${field} must be an object with serverUrl and streamName`, op);
      if (target.id !== undefined) validateId(`${field}.id`, target.id, op);
      if (target.serverUrl === undefined) fail(`${field}.serverUrl`, `${field}.serverUrl is required (an rtmp:// or rtmps:// URL)`, op);
      optionalUrl(`${field}.serverUrl`, target.serverUrl, ['rtmp', 'rtmps'], op);
      validateId(`${field}.streamName`, target.streamName, op);
    });
  }
  if (options.layout !== undefined) validateLayout(options.layout, op);
  optionalInteger('maxDuration', options.maxDuration, LIMITS.broadcastMaxDurationMin, LIMITS.broadcastMaxDurationMax, op);
  optionalInteger('maxBitrate', options.maxBitrate, LIMITS.maxBitrateMin, LIMITS.maxBitrateMax, op);
  optionalOneOf('resolution', options.resolution, RESOLUTIONS, op);
  optionalOneOf('streamMode', options.streamMode, STREAM_MODES, op);
  if (options.multiBroadcastTag !== undefined) validateId('multiBroadcastTag', options.multiBroadcastTag, op);
  optionalBoolean('hasAudio', options.hasAudio, op);
  optionalBoolean('hasVideo', options.hasVideo, op);
  mediaNotBothOff('', options.hasAudio, options.hasVideo, op);
}

// ---------------------------------------------------------------------------
// Streams, moderation, signals

/** Layout class lists for `setStreamLayoutClasses`: a non-empty list of `{id, layoutClassList}`. */
export function validateStreamLayoutClasses(sessionId: string, items: StreamLayoutClasses[]): void {
  const op = 'setStreamLayoutClasses';
  validateId('sessionId', sessionId, op);
  if (!Array.isArray(items) || items.length === 0) fail('items', 'items must be a non-empty array of {id, layoutClassList}', op);
  items.forEach((item, i) => {
    if (!isObject(item)) fail(`items[${i}]`, `items[${i}] must be an object with id and layoutClassList`, op);
    validateId(`items[${i}].id`, item.id, op);
    if (!Array.isArray(item.layoutClassList)) fail(`items[${i}].layoutClassList`, `items[${i}].layoutClassList must be an array of strings (may be empty)`, op);
    optionalStringArray(`items[${i}].layoutClassList`, item.layoutClassList, op);
  });
}

/** Options of `muteAllStreams`. */
export function validateMuteAll(sessionId: string, options: MuteAllOptions = {}): void {
  const op = 'muteAllStreams';
  validateId('sessionId', sessionId, op);
  optionalObject('options', options, op);
  optionalStringArray('excludedStreamIds', options.excludedStreamIds, op);
}

/** A signal: type ≤ 128 bytes of `[A-Za-z0-9-_~]`, data a string ≤ 8 kB (API.md §5.6). */
export function validateSignal(sessionId: string, signal: Signal): void {
  const op = 'sendSignal';
  validateId('sessionId', sessionId, op);
  if (!isObject(signal)) fail('signal', 'signal must be an object with data (and optionally type, connectionId)', op);
  if (signal.connectionId !== undefined) validateId('connectionId', signal.connectionId, op);
  if (signal.type !== undefined) {
    if (typeof signal.type !== 'string') fail('type', `type must be a string; got ${show(signal.type)}`, op);
    if (utf8Length(signal.type) > LIMITS.signalTypeMaxBytes) {
      fail('type', `type must be at most ${LIMITS.signalTypeMaxBytes} bytes; got ${utf8Length(signal.type)}`, op);
    }
    if (!SIGNAL_TYPE_PATTERN.test(signal.type)) fail('type', `type may only contain letters, digits, '-', '_' and '~'; got ${show(signal.type)}`, op);
  }
  if (typeof signal.data !== 'string') fail('data', `data is required and must be a string; got ${show(signal.data)}`, op);
  if (utf8Length(signal.data) > LIMITS.signalDataMaxBytes) {
    fail('data', `data must be at most ${LIMITS.signalDataMaxBytes} bytes (8 kB); got ${utf8Length(signal.data)}`, op);
  }
}

// ---------------------------------------------------------------------------
// SIP, DTMF, Audio Connector

/** Rules of `dialSip` (API.md §5.7). */
export function validateDialSip(sessionId: string, token: string, options: DialSipOptions): void {
  const op = 'dialSip';
  validateId('sessionId', sessionId, op);
  validateId('token', token, op);
  if (!isObject(options)) fail('options', 'options are required: at least uri', op);
  if (typeof options.uri !== 'string' || !/^sips?:[^\s]+@[^\s]+$/i.test(options.uri)) {
    fail('uri', `uri must be a SIP URI like sip:user@host[;transport=tls]; got ${show(options.uri)}`, op);
  }
  optionalString('from', options.from, op, 1);
  optionalStringRecord('headers', options.headers, op);
  if (options.auth !== undefined) {
    if (!isObject(options.auth)) fail('auth', 'auth must be an object with username and password', op);
    validateId('auth.username', options.auth.username, op);
    if (typeof options.auth.password !== 'string') fail('auth.password', 'auth.password must be a string', op);
  }
  optionalBoolean('secure', options.secure, op);
  optionalBoolean('video', options.video, op);
  optionalBoolean('observeForceMute', options.observeForceMute, op);
  optionalStringArray('streams', options.streams, op);
}

/** DTMF digits: 0-9, `*`, `#` and `p` (API.md §5.7). */
export function validateDtmf(sessionId: string, digits: string, options: PlayDtmfOptions = {}): void {
  const op = 'playDtmf';
  validateId('sessionId', sessionId, op);
  if (typeof digits !== 'string' || !DTMF_DIGITS_PATTERN.test(digits)) {
    fail('digits', `digits must be one or more of 0-9, *, # and p (a 500 ms pause); got ${show(digits)}`, op);
  }
  optionalObject('options', options, op);
  if (options.connectionId !== undefined) validateId('connectionId', options.connectionId, op);
}

/** Rules of `connectAudioStream` (API.md §5.8). */
export function validateAudioConnector(sessionId: string, token: string, options: AudioConnectorOptions): void {
  const op = 'connectAudioStream';
  validateId('sessionId', sessionId, op);
  validateId('token', token, op);
  if (!isObject(options)) fail('options', 'options are required: at least uri', op);
  if (options.uri === undefined) fail('uri', 'uri is required (a ws:// or wss:// URL)', op);
  optionalUrl('uri', options.uri, ['ws', 'wss'], op);
  optionalStringArray('streams', options.streams, op);
  optionalStringRecord('headers', options.headers, op);
  if (options.headers !== undefined) {
    const bytes = Object.entries(options.headers).reduce((sum, [k, v]) => sum + utf8Length(k) + utf8Length(v), 0);
    if (bytes > LIMITS.audioConnectorHeadersMaxBytes) {
      fail('headers', `headers must total at most ${LIMITS.audioConnectorHeadersMaxBytes} bytes (names and values); got ${bytes}`, op);
    }
  }
  optionalOneOf('audioRate', options.audioRate, AUDIO_RATES, op);
  optionalBoolean('bidirectional', options.bidirectional, op);
  if (options.audioTransport !== undefined) {
    const t = options.audioTransport;
    optionalObject('audioTransport', t, op);
    optionalOneOf('audioTransport.transport', t.transport, ['binary', 'json'], op);
    optionalOneOf('audioTransport.encoding', t.encoding, ['base64'], op);
    optionalString('audioTransport.audioField', t.audioField, op, 1);
    optionalString('audioTransport.receiveAudioField', t.receiveAudioField, op, 1);
    optionalObject('audioTransport.staticFields', t.staticFields, op);
  }
}

// ---------------------------------------------------------------------------
// Experience Composer, captions, callbacks

/** Rules of `startRender` (API.md §5.9). */
export function validateStartRender(options: StartRenderOptions): void {
  const op = 'startRender';
  if (!isObject(options)) fail('options', 'options are required: sessionId, token and url', op);
  validateId('sessionId', options.sessionId, op);
  validateId('token', options.token, op);
  if (options.url === undefined) fail('url', 'url is required (an http:// or https:// URL)', op);
  optionalUrl('url', options.url, ['http', 'https'], op, LIMITS.renderUrlMinLength, LIMITS.renderUrlMaxLength);
  optionalInteger('maxDuration', options.maxDuration, LIMITS.renderMaxDurationMin, LIMITS.renderMaxDurationMax, op);
  optionalOneOf('resolution', options.resolution, RESOLUTIONS, op);
  optionalString('name', options.name, op, LIMITS.renderNameMinLength, LIMITS.renderNameMaxLength);
  optionalUrl('statusCallbackUrl', options.statusCallbackUrl, ['http', 'https'], op, LIMITS.statusCallbackUrlMinLength, LIMITS.statusCallbackUrlMaxLength);
}

/** Rules of `startCaptions` (API.md §5.10). */
export function validateStartCaptions(sessionId: string, token: string, options: StartCaptionsOptions = {}): void {
  const op = 'startCaptions';
  validateId('sessionId', sessionId, op);
  validateId('token', token, op);
  optionalObject('options', options, op);
  optionalOneOf('languageCode', options.languageCode, CAPTION_LANGUAGES, op);
  optionalInteger('maxDuration', options.maxDuration, LIMITS.captionsMaxDurationMin, LIMITS.captionsMaxDurationMax, op);
  optionalBoolean('partialCaptions', options.partialCaptions, op);
  optionalUrl('statusCallbackUrl', options.statusCallbackUrl, ['http', 'https'], op, LIMITS.statusCallbackUrlMinLength, LIMITS.statusCallbackUrlMaxLength);
}

/** Rules of `registerCallback` (API.md §5.11). */
export function validateRegisterCallback(options: RegisterCallbackOptions): void {
  const op = 'registerCallback';
  if (!isObject(options)) fail('options', 'options are required: group, event and url', op);
  if (options.group === undefined) fail('group', `group is required: one of ${CALLBACK_GROUPS.join(', ')}`, op);
  optionalOneOf('group', options.group, CALLBACK_GROUPS, op);
  validateId('event', options.event, op);
  if (typeof options.url !== 'string' || !/^https?:\/\//i.test(options.url)) {
    fail('url', `url must be an http:// or https:// URL; got ${show(options.url)}`, op);
  }
}
