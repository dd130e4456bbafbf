/** Audio Connector (API.md §5.8): stream a session's audio to a WebSocket. */
import { asObject, defined, dialedParticipant, projectPath, requestJson, requestVoid, type RequestContext } from './context.js';
import type { AudioConnection, AudioConnectorOptions, CallOptions } from './types.js';
import { validateAudioConnector, validateId } from './validation.js';

/** The JSON body of a connect request; audioTransport keys are snake_case on the wire. */
export function audioConnectorBody(sessionId: string, token: string, options: AudioConnectorOptions): Record<string, unknown> {
  const t = options.audioTransport;
  return {
    sessionId,
    token,
    websocket: defined({
      uri: options.uri,
      streams: options.streams === undefined ? undefined : [...options.streams],
      headers: options.headers === undefined ? undefined : { ...options.headers },
      audioRate: options.audioRate,
      bidirectional: options.bidirectional,
      audioTransport:
        t === undefined
          ? undefined
          : defined({
              transport: t.transport,
              encoding: t.encoding,
              audio_field: t.audioField,
              receive_audio_field: t.receiveAudioField,
              static_fields: t.staticFields,
            }),
    }),
  };
}

/** Connects the session's audio to a WebSocket server. Never retried: a retry could open a second connection. */
export async function connectAudioStream(ctx: RequestContext, sessionId: string, token: string, options: AudioConnectorOptions, call: CallOptions = {}): Promise<AudioConnection> {
  validateAudioConnector(sessionId, token, options);
  return requestJson(
    ctx,
    { operation: 'connectAudioStream', method: 'POST', path: projectPath(ctx, 'connect'), json: audioConnectorBody(sessionId, token, options), expect: [200], signal: call.signal },
    (body, operation) => dialedParticipant(asObject(body, operation), operation),
  );
}

/** Deprecated upstream; force-disconnecting the connection is the supported way to stop. */
export async function stopAudioStream(ctx: RequestContext, callId: string, call: CallOptions = {}): Promise<void> {
  validateId('callId', callId, 'stopAudioStream');
  return requestVoid(ctx, { operation: 'stopAudioStream', method: 'POST', path: projectPath(ctx, 'connect', callId, 'stop'), expect: [200, 204], signal: call.signal });
}
