/**
 * POST /webhooks/opentok: OpenTok callbacks (session monitoring, archive, broadcast, render,
 * captions, SIP — CALLBACKS.md) go into the event hub, where `recentEvents` and the
 * subscriptions read them. Authenticity is decided in one place, `callbackProblem` below.
 */
import type { Plugin } from 'graphql-yoga';
import { classify, type EventHub, type OpenTokEvent } from './events.js';
import type { Logger } from './log.js';
import { verifyCallback, type CallbackAuthConfig } from './webhook-auth.js';

export const WEBHOOK_PATH = '/webhooks/opentok';
const WEBHOOK_MAX_BYTES = 1024 * 1024;

export interface WebhookOptions {
  events: EventHub;
  log: Logger;
  /** Accept only callbacks signed with this secret; null = accept unsigned callbacks. */
  callbackSecret: string | null;
  /** Legacy OpenTok callback auth (path secret, basic auth) and whether unauthenticated callbacks are refused (src/server/webhook-auth.ts). */
  callbackAuth?: Omit<CallbackAuthConfig, 'signatureSecret'>;
  /**
   * Runs before subscribers hear of a callback (response-cache invalidation), so a client that
   * re-reads on an event never gets the state from before it.
   */
  beforePublish?: (event: Pick<OpenTokEvent, 'kind' | 'type' | 'sessionId'>) => Promise<void>;
  /** Counts callbacks by kind and outcome (accepted, duplicate, refused, invalid), for /metrics. */
  count?: (kind: string, outcome: 'accepted' | 'duplicate' | 'refused' | 'invalid') => void;
}

export function webhookPlugin(options: WebhookOptions): Plugin {
  const { events, log, callbackSecret } = options;
  const count = options.count ?? (() => undefined);
  // Without any callback auth configured, a gateway built as a library accepts unsigned callbacks
  // (as before); `npm start` always passes callbackAuth, which refuses them.
  const auth: CallbackAuthConfig = { signatureSecret: callbackSecret, allowUnauthenticated: true, ...options.callbackAuth };

  /** Why this callback is not authentic, or null when it is. The one place that decides it. */
  const callbackProblem = async (request: Request, body: string): Promise<string | null> => {
    const verdict = await verifyCallback(request, body, auth, WEBHOOK_PATH);
    return verdict.ok ? null : verdict.reason;
  };

  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      // `/webhooks/opentok/<secret>` is the legacy path-secret form of the same route.
      if (url.pathname !== WEBHOOK_PATH && !url.pathname.startsWith(`${WEBHOOK_PATH}/`)) return;
      const reply = (status: number, body?: string, headers: Record<string, string> = {}) =>
        endResponse(new fetchAPI.Response(body ?? null, { status, headers: body ? { 'content-type': 'application/json', ...headers } : headers }));
      if (request.method !== 'POST') return reply(405, JSON.stringify({ message: 'Use POST' }), { allow: 'POST' });
      const contentType = request.headers.get('content-type') ?? '';
      if (!/^application\/json\b/i.test(contentType)) return reply(415, JSON.stringify({ message: 'Expected application/json' }));
      const declared = Number(request.headers.get('content-length') ?? '0');
      if (declared > WEBHOOK_MAX_BYTES) return reply(413, JSON.stringify({ message: 'Body too large' }));
      const text = await request.text();
      if (text.length > WEBHOOK_MAX_BYTES) return reply(413, JSON.stringify({ message: 'Body too large' }));
      const problem = await callbackProblem(request, text);
      if (problem) {
        count('unknown', 'refused');
        log.warn('refused an OpenTok callback', { problem });
        return reply(401, JSON.stringify({ message: problem }));
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        count('unknown', 'invalid');
        return reply(400, JSON.stringify({ message: 'Body is not valid JSON' }));
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        count('unknown', 'invalid');
        return reply(400, JSON.stringify({ message: 'Expected one JSON object per callback' }));
      }
      const payload = body as Record<string, unknown>;
      const { kind, type } = classify(payload);
      // Every callback kind is accepted, known or not (CALLBACKS.md lists open questions): an
      // unknown one still reaches opentokEvents and recentEvents.
      await options.beforePublish?.({ kind, type, sessionId: typeof payload.sessionId === 'string' ? payload.sessionId : null });
      const event = await events.publish(payload);
      count(kind, event ? 'accepted' : 'duplicate');
      log.debug(event ? 'opentok callback' : 'opentok callback redelivered (ignored)', { type, sessionId: payload.sessionId, seq: event?.seq });
      // A redelivery is answered 2xx too: the platform only needs to stop retrying.
      return reply(204);
    },
  };
}
