/** Audio Connector: stream a session's audio to a WebSocket server. */
import { LIMITS } from '../client/constants.js';
import * as resolve from '../resolvers/realtime.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { AudioRateEnum } from './enums.js';
import { AudioConnectionRef, ConnectionRef, SessionRef } from './refs.js';
import { HeaderInput } from './sip.js';

AudioConnectionRef.implement({
  description: 'An Audio Connector connection: the session\'s audio streamed to a WebSocket.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The Audio Connector id.' }),
    connectionId: t.exposeID('connectionId', { description: 'The connection it joined as (use it with `forceDisconnect` to stop it).' }),
    session: t.field({ type: SessionRef, description: 'The session whose audio is streamed.', resolve: (c) => sessionModel(c.sessionId) }),
    connection: t.field({ type: ConnectionRef, description: 'The connection it joined as.', resolve: (c) => ({ id: c.connectionId, sessionId: c.sessionId }) }),
  }),
});

const ConnectAudioInput = builder.inputType('ConnectAudioStreamInput', {
  description: 'Where to stream the audio.',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: 'The session (routed).' }),
    token: t.string({ description: 'A token for the connector\'s connection; the gateway mints a publisher token when omitted.' }),
    uri: t.string({ required: true, description: 'The WebSocket URL (`ws://` or `wss://`).' }),
    streams: t.idList({ description: 'Streams to send; default every stream.' }),
    headers: t.field({ type: [HeaderInput], description: `Headers sent in the WebSocket handshake (≤ ${LIMITS.audioConnectorHeadersMaxBytes} bytes in all).` }),
    audioRate: t.field({ type: AudioRateEnum, description: 'Sample rate; default 16 kHz.' }),
    bidirectional: t.boolean({ description: 'Also play audio sent back by the server into the session.' }),
  }),
});

builder.mutationFields((t) => ({
  connectAudioStream: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.input.sessionId } }),
    type: AudioConnectionRef,
    description: 'Streams a session\'s audio to a WebSocket server. To stop, `forceDisconnect` its connection.',
    args: { input: t.arg({ type: ConnectAudioInput, required: true, description: 'Where to stream the audio.' }) },
    resolve: (_root, args, ctx) => resolve.connectAudioStream(args.input, ctx),
  }),
}));
