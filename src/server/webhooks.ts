/**
 * POST /webhooks/opentok: OpenTok callbacks (session monitoring, archive, broadcast, render,
 * captions, SIP — CALLBACKS.md) go into the event hub, where `recentEvents` and the
 * subscriptions read them. Authenticity is decided in one place, `callbackProblem` below.
 */
import { createHash } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { Plugin } from 'graphql-yoga';
import { classify, type EventHub, type OpenTokEvent } from './events.js';
import type { Logger } from './log.js';

export const WEBHOOK_PATH = '/webhooks/opentok';
const WEBHOOK_MAX_BYTES = 1024 * 1024;

/**
 * Verifies a signed callback (CALLBACKS.md §10.3): an HS256 JWT from "Vonage" in Authorization,
 * whose `payload_hash` is the SHA-256 of the exact body bytes. Returns why it fails, or null.
 */
async function callbackSignatureProblem(authorization: string | null, body: string, key: Uint8Array): Promise<string | null> {
  if (!authorization) return 'Unsigned callback: an Authorization header with the signature JWT is required';
  const token = authorization.replace(/^Bearer\s+/i, '');
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: 'Vonage' });
    const hash = createHash('sha256').update(body, 'utf8').digest('hex');
    if (typeof payload.payload_hash !== 'string' || payload.payload_hash.toLowerCase() !== hash) return 'The payload_hash does not match the body';
    return null;
  } catch {
    return 'The callback signature is not valid';
  }
}

export interface WebhookOptions {
  events: EventHub;
  log: Logger;
  /** Accept only callbacks signed with this secret; null = accept unsigned callbacks. */
  callbackSecret: string | null;
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
  const key = callbackSecret === null ? null : new TextEncoder().encode(callbackSecret);

  /** Why this callback is not authentic, or null when it is. The one place that decides it. */
  const callbackProblem = async (request: Request, body: string): Promise<string | null> =>
    key ? callbackSignatureProblem(request.headers.get('authorization'), body, key) : null;

  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== WEBHOOK_PATH) return;
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
