/** Signals: messages sent to clients of a session. */
import { LIMITS } from '../client/constants.js';
import * as resolve from '../resolvers/realtime.js';
import { builder } from './builder.js';
import { SessionPayloadRef } from './refs.js';

builder.mutationFields((t) => ({
  sendSignal: t.field({
    authScopes: (_root, args) => ({ $all: { 'video:write': true, session: args.sessionId } }),
    type: SessionPayloadRef,
    description: 'Sends a signal to one client of a session, or to every client when `connectionId` is omitted.',
    args: {
      sessionId: t.arg.id({ required: true, description: 'The session id.' }),
      connectionId: t.arg.id({ description: 'The client to signal; omit to signal every client.' }),
      type: t.arg.string({ description: `The signal type clients listen for (≤ ${LIMITS.signalTypeMaxBytes} bytes of letters, digits, \`-\`, \`_\`, \`~\`).` }),
      data: t.arg.string({ required: true, description: `The payload (≤ ${LIMITS.signalDataMaxBytes} bytes).` }),
    },
    resolve: (_root, args, ctx) => resolve.sendSignal(args, ctx),
  }),
}));
