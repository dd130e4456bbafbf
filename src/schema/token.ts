/** Client tokens. Root field: `generateToken`. */
import * as resolve from '../resolvers/token.js';
import { sessionModel } from '../resolvers/session.js';
import { builder } from './builder.js';
import { RoleEnum, TokenTypeEnum } from './enums.js';
import { ClientTokenRef, SessionRef } from './refs.js';

ClientTokenRef.implement({
  description: 'A token a client SDK uses to connect to a session. Minted by the gateway with the project credentials (no upstream call). Treat it as a secret.',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The token string to pass to the client SDK.' }),
    sessionId: t.exposeID('sessionId', { description: 'The session the token admits to.' }),
    session: t.field({ type: SessionRef, description: 'The session the token admits to.', resolve: (token) => sessionModel(token.sessionId) }),
    role: t.field({ type: RoleEnum, description: 'What the client may do.', resolve: (token) => token.role }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the token stops admitting clients.', resolve: (token) => token.expireTime * 1000 }),
    data: t.exposeString('data', { nullable: true, description: 'Connection data other clients see for this connection.' }),
    initialLayoutClassList: t.exposeStringList('initialLayoutClassList', { description: 'Layout classes given to the streams the client publishes.' }),
    tokenType: t.field({ type: TokenTypeEnum, description: 'The token format.', resolve: (token) => token.tokenType }),
  }),
});

const GenerateTokenInput = builder.inputType('GenerateTokenInput', {
  description: 'What a client token allows.',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: 'The session to admit to; it must belong to the gateway\'s project.' }),
    role: t.field({ type: RoleEnum, description: 'Default `PUBLISHER`.' }),
    expireTime: t.field({ type: 'DateTime', description: 'When the token expires: in the future and at most 30 days ahead. Default 24 hours from now.' }),
    data: t.string({ description: 'Connection data delivered to other clients (< 1000 characters).' }),
    initialLayoutClassList: t.stringList({ description: 'Layout classes for the streams the client publishes (≤ 1024 characters joined).' }),
    tokenType: t.field({ type: TokenTypeEnum, description: 'Default `JWT`. Ignored for Vonage applications (always an RS256 JWT).' }),
  }),
});

builder.mutationFields((t) => ({
  generateToken: t.field({
    authScopes: (_root, args) =>
      // Moderator tokens let a client force others out or mute them: a moderation right.
      args.input.role === 'moderator' ? { $all: { 'video:moderate': true, session: args.input.sessionId } } : { $all: { 'token:publish': true, session: args.input.sessionId } },
    type: ClientTokenRef,
    description: 'Mints a client token for a session.',
    args: { input: t.arg({ type: GenerateTokenInput, required: true, description: 'The session and what the token allows.' }) },
    resolve: (_root, args, ctx) => resolve.generateToken(args.input, ctx),
  }),
}));
