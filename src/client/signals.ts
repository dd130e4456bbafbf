/** Signals (API.md §5.6): to every client of a session or to one connection. */
import { defined, projectPath, requestVoid, type RequestContext } from './context.js';
import type { CallOptions, Signal } from './types.js';
import { validateSignal } from './validation.js';

/** Sends a signal to every client of the session, or to `signal.connectionId` only. */
export async function sendSignal(ctx: RequestContext, sessionId: string, signal: Signal, call: CallOptions = {}): Promise<void> {
  validateSignal(sessionId, signal);
  const path =
    signal.connectionId === undefined
      ? projectPath(ctx, 'session', sessionId, 'signal')
      : projectPath(ctx, 'session', sessionId, 'connection', signal.connectionId, 'signal');
  return requestVoid(ctx, {
    operation: 'sendSignal',
    method: 'POST',
    path,
    json: defined({ type: signal.type, data: signal.data }),
    // 204 per the API and Ruby; the OpenAPI file and the Vonage SDK say 200.
    expect: [204, 200],
    signal: call.signal,
  });
}
