/** SIP interconnect: dial a phone or SIP endpoint into a session, play DTMF. */
import * as resolve from '../resolvers/realtime.js';
import { builder } from './builder.js';
import { ConnectionRef, SessionPayloadRef, SessionRef, SipCallRef, StreamRef } from './refs.js';
import { sessionModel } from '../resolvers/session.js';

export const HeaderInput = builder.inputType('HeaderInput', {
  description: 'A header name and value.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Header name.' }),
    value: t.string({ required: true, description: 'Header value.' }),
  }),
});

const SipAuthInput = builder.inputType('SipAuthInput', {
  description: 'Digest credentials for the SIP server.',
  fields: (t) => ({
    username: t.string({ required: true, description: 'User name.' }),
    password: t.string({ required: true, description: 'Password.' }),
  }),
});

SipCallRef.implement({
  description: 'A SIP call connected to a session: it joins as a connection and publishes a stream.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The SIP call id.' }),
    connectionId: t.exposeID('connectionId', { description: 'The connection of the call (use it with `forceDisconnect` to hang up).' }),
    streamId: t.exposeID('streamId', { description: 'The stream the call publishes.' }),
    session: t.field({ type: SessionRef, description: 'The session the call joined.', resolve: (c) => sessionModel(c.sessionId) }),
    connection: t.field({ type: ConnectionRef, description: 'The connection of the call.', resolve: (c) => ({ id: c.connectionId, sessionId: c.sessionId }) }),
    stream: t.field({
      type: StreamRef,
      nullable: true,
      description: 'The stream the call publishes, while it is published.',
      resolve: (c, _args, ctx) => resolve.stream(c.sessionId, c.streamId, ctx),
    }),
  }),
});

const DialSipInput = builder.inputType('DialSipInput', {
  description: 'Who to dial and how.',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: 'The session the call joins (routed).' }),
    token: t.string({ description: 'A token for the call\'s connection; the gateway mints a publisher token when omitted.' }),
    uri: t.string({ required: true, description: 'The SIP URI: `sip:user@host`, with `;transport=tls` for TLS.' }),
    from: t.string({ description: 'The caller id (`from@example.com` or a phone number).' }),
    headers: t.field({ type: [HeaderInput], description: 'Custom SIP headers (names starting with `X-`).' }),
    auth: t.field({ type: SipAuthInput, description: 'Digest credentials, when the SIP server asks.' }),
    secure: t.boolean({ description: 'Encrypt media (SRTP).' }),
    video: t.boolean({ description: 'Include video in the call.' }),
    observeForceMute: t.boolean({ description: 'Let moderation mute the call.' }),
    streams: t.idList({ description: 'Streams the call hears; default every stream.' }),
  }),
});

builder.mutationFields((t) => ({
  dialSip: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.input.sessionId } }),
    type: SipCallRef,
    description: 'Dials a SIP endpoint into a session.',
    args: { input: t.arg({ type: DialSipInput, required: true, description: 'Who to dial and how.' }) },
    resolve: (_root, args, ctx) => resolve.dialSip(args.input, ctx),
  }),
  playDtmf: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.sessionId } }),
    type: SessionPayloadRef,
    description: 'Plays DTMF tones to one SIP connection, or to every client of the session.',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session id.' }),
      digits: t.arg.string({ required: true, description: 'Digits `0-9`, `*`, `#`, and `p` for a 500 ms pause.' }),
      connectionId: t.arg.id({ description: 'The connection to play to; omit for every client.' }),
    },
    resolve: (_root, args, ctx) => resolve.playDtmf(args, ctx),
  }),
}));
