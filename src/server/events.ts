/**
 * OpenTok callbacks received on /webhooks/opentok, kept in memory and fanned out to GraphQL
 * subscriptions. One process only: across instances this would be a Redis pub/sub.
 */
import { createPubSub } from 'graphql-yoga';

export interface OpenTokEvent {
  /** Sequence number in this process, for de-duplication by subscribers. */
  seq: number;
  /** The callback's `event` (`connectionCreated`, `streamDestroyed`, `archive`, `broadcast`, …). */
  type: string;
  sessionId: string | null;
  /** Epoch ms when the gateway received it. */
  receivedAt: number;
  /** Epoch ms when OpenTok says it happened (`timestamp`, else `updatedAt`/`createdAt`). */
  occurredAt: number | null;
  payload: Record<string, unknown>;
}

export interface EventHub {
  publish(payload: Record<string, unknown>): OpenTokEvent;
  /** The newest events first, optionally for one session. */
  recent(sessionId?: string | null, limit?: number): OpenTokEvent[];
  subscribe(): AsyncIterable<OpenTokEvent>;
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Which kind of callback a body is: session monitoring names it in `event`; others are inferred. */
function eventType(payload: Record<string, unknown>): string {
  if (typeof payload.event === 'string' && payload.event !== '') return payload.event;
  if (typeof payload.captionsId === 'string' || typeof payload.captionId === 'string') return 'captions';
  if (typeof payload.id === 'string' && typeof payload.url === 'string' && 'streamId' in payload) return 'render';
  return 'unknown';
}

export function createEventHub(capacity = 1000): EventHub {
  const pubsub = createPubSub<{ event: [OpenTokEvent] }>();
  const buffer: OpenTokEvent[] = [];
  let seq = 0;
  return {
    publish(payload) {
      const event: OpenTokEvent = {
        seq: ++seq,
        type: eventType(payload),
        sessionId: typeof payload.sessionId === 'string' ? payload.sessionId : null,
        receivedAt: Date.now(),
        occurredAt: num(payload.timestamp) ?? num(payload.updatedAt) ?? num(payload.createdAt),
        payload,
      };
      buffer.push(event);
      if (buffer.length > capacity) buffer.splice(0, buffer.length - capacity);
      pubsub.publish('event', event);
      return event;
    },
    recent(sessionId, limit = 20) {
      const out: OpenTokEvent[] = [];
      for (let i = buffer.length - 1; i >= 0 && out.length < limit; i--) {
        const event = buffer[i]!;
        if (!sessionId || event.sessionId === sessionId) out.push(event);
      }
      return out;
    },
    subscribe: () => pubsub.subscribe('event'),
  };
}
