/** SIP interconnect (API.md §5.7): dial out, and play DTMF digits. */
import { asObject, defined, dialedParticipant, projectPath, reqString, requestJson, requestVoid, type RequestContext } from './context.js';
import type { CallOptions, DialSipOptions, PlayDtmfOptions, SipCall } from './types.js';
import { validateDialSip, validateDtmf } from './validation.js';

/** The JSON body of a dial request. Flags are sent as booleans, never as the strings Ruby sends. */
export function dialSipBody(sessionId: string, token: string, options: DialSipOptions): Record<string, unknown> {
  return {
    sessionId,
    token,
    sip: defined({
      uri: options.uri,
      from: options.from,
      headers: options.headers === undefined ? undefined : { ...options.headers },
      auth: options.auth === undefined ? undefined : { username: options.auth.username, password: options.auth.password },
      secure: options.secure,
      video: options.video,
      observeForceMute: options.observeForceMute,
      streams: options.streams === undefined ? undefined : [...options.streams],
    }),
  };
}

/** Dials a SIP endpoint into the session. Never retried: a retry could place a second call. */
export async function dialSip(ctx: RequestContext, sessionId: string, token: string, options: DialSipOptions, call: CallOptions = {}): Promise<SipCall> {
  validateDialSip(sessionId, token, options);
  return requestJson(
    ctx,
    { operation: 'dialSip', method: 'POST', path: projectPath(ctx, 'dial'), json: dialSipBody(sessionId, token, options), expect: [200], signal: call.signal },
    (body, operation) => {
      const wire = asObject(body, operation);
      // Unlike an Audio Connector connection, a SIP call also publishes a stream.
      return { ...dialedParticipant(wire, operation), streamId: reqString(wire, operation, 'streamId', 'stream_id') };
    },
  );
}

/** Plays DTMF digits to every SIP participant, or to `options.connectionId` only. */
export async function playDtmf(ctx: RequestContext, sessionId: string, digits: string, options: PlayDtmfOptions = {}, call: CallOptions = {}): Promise<void> {
  validateDtmf(sessionId, digits, options);
  const path =
    options.connectionId === undefined
      ? projectPath(ctx, 'session', sessionId, 'play-dtmf')
      : projectPath(ctx, 'session', sessionId, 'connection', options.connectionId, 'play-dtmf');
  return requestVoid(ctx, { operation: 'playDtmf', method: 'POST', path, json: { digits }, expect: [200], signal: call.signal });
}
