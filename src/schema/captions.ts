/** Live captions. */
import { LIMITS } from '../client/constants.js';
import * as resolve from '../resolvers/realtime.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { CaptionLanguageEnum } from './enums.js';
import { CaptionsRef, SessionRef } from './refs.js';

CaptionsRef.implement({
  description: 'Live captions running in a session.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The captions id (use it with `stopCaptions`).' }),
    sessionId: t.exposeID('sessionId', { description: 'The captioned session.' }),
    session: t.field({ type: SessionRef, description: 'The captioned session.', resolve: (c) => sessionModel(c.sessionId) }),
  }),
});

const StartCaptionsInput = builder.inputType('StartCaptionsInput', {
  description: 'What to caption and how.',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: 'The session to caption (routed).' }),
    token: t.string({ description: 'A moderator token for the session; the gateway mints one when omitted.' }),
    languageCode: t.field({ type: CaptionLanguageEnum, description: 'The spoken language; default en-US.' }),
    maxDuration: t.int({ description: `Stop after this many seconds (${LIMITS.captionsMaxDurationMin}–${LIMITS.captionsMaxDurationMax}, default ${LIMITS.captionsMaxDurationDefault}).` }),
    partialCaptions: t.boolean({ description: 'Also send provisional captions while a phrase is spoken (default true).' }),
    statusCallbackUrl: t.string({ description: 'URL that receives the captions\' status changes.' }),
  }),
});

const StopCaptionsPayloadRef = builder.objectRef<{ captionsId: string }>('StopCaptionsPayload');
StopCaptionsPayloadRef.implement({
  description: 'The result of stopping live captions.',
  fields: (t) => ({ captionsId: t.exposeID('captionsId', { description: 'The captions stopped.' }) }),
});

builder.mutationFields((t) => ({
  startCaptions: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.input.sessionId } }),
    type: CaptionsRef,
    description: 'Starts live captions in a session (CONFLICT when they are already running).',
    args: { input: t.arg({ type: StartCaptionsInput, required: true, description: 'What to caption and how.' }) },
    resolve: (_root, args, ctx) => resolve.startCaptions(args.input, ctx),
  }),
  stopCaptions: t.field({
    authScopes: { $all: { 'video:write': true, allSessions: true } },
    type: StopCaptionsPayloadRef,
    description: 'Stops live captions.',
    args: { id: t.arg.id({ required: true, description: 'The captions id.' }) },
    resolve: (_root, args, ctx) => resolve.stopCaptions(args.id, ctx),
  }),
}));
