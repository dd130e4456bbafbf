/**
 * OpenTok callbacks received on /webhooks/opentok, de-duplicated, numbered, remembered and
 * fanned out to GraphQL subscriptions. The state lives in an EventStore and the fan-out in a
 * yoga pubsub: both in memory for one process, both in Redis (src/server/pubsub.ts) when
 * instances share REDIS_URL, so a callback received by any instance reaches every subscriber.
 */
import { createHash } from 'node:crypto';
import { createPubSub, type PubSub } from 'graphql-yoga';

/** Which callback family an event belongs to (CALLBACKS.md §1). */
export type EventKind = 'session' | 'archive' | 'broadcast' | 'render' | 'captions' | 'sip' | 'unknown';

export interface OpenTokEvent {
  /** Order of acceptance, shared by all instances when they share Redis. */
  seq: number;
  /** The callback's `event` (`connectionCreated`, `streamDestroyed`, `archive`, `broadcast`, …). */
  type: string;
  kind: EventKind;
  sessionId: string | null;
  /** Epoch ms when the gateway received it. */
  receivedAt: number;
  /** Epoch ms when OpenTok says it happened (`timestamp`, else `updatedAt`/`createdAt`). */
  occurredAt: number | null;
  payload: Record<string, unknown>;
}

/** Where de-duplication keys, sequence numbers and the recent-events window live. */
export interface EventStore {
  /** Claims a dedupe key for ttlMs; returns the next sequence number, or null when already claimed. */
  claim(key: string, ttlMs: number): Promise<number | null>;
  remember(event: OpenTokEvent, capacity: number): Promise<void>;
  /** The newest `scan` events, newest first. */
  newest(scan: number): Promise<OpenTokEvent[]>;
  close(): Promise<void>;
}

export type EventPubSub = PubSub<{ 'opentok:event': [OpenTokEvent] }>;

export interface EventHub {
  /** Accepts a callback body: null when it is a redelivery of one already accepted. */
  publish(payload: Record<string, unknown>): Promise<OpenTokEvent | null>;
  /** The newest events first, optionally for one session. */
  recent(sessionId?: string | null, limit?: number): Promise<OpenTokEvent[]>;
  /** Every event from now on; ends cleanly when the hub closes its subscriptions. */
  subscribe(): AsyncIterable<OpenTokEvent>;
  /** Open subscriptions in this process. */
  subscriberCount(): number;
  /** Completes every open subscription (graceful shutdown: clients see a normal end). */
  completeSubscriptions(): void;
  close(): Promise<void>;
}

/**
 * OpenTok retries failed deliveries for up to 24 h (CALLBACKS.md §2.3), so a redelivery can
 * come that late; remembering keys that long is what makes the dedupe hold.
 */
export const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;
export const RECENT_CAPACITY = 1000;

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const obj = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const SESSION_EVENTS = new Set(['sessionCreated', 'sessionDestroyed', 'connectionCreated', 'connectionDestroyed', 'streamCreated', 'streamDestroyed']);
// Unified-platform SIP bodies may be prefixed (`sipCallCreated`); CALLBACKS.md §1 says accept both.
const SIP_EVENTS = new Set(['callCreated', 'callUpdated', 'callDestroyed', 'muteForced', 'sipCallCreated', 'sipCallUpdated', 'sipCallDestroyed', 'sipCallMuteForced']);

/** Which kind of callback a body is: most name it in `event`; render and captions bodies may not. */
export function classify(payload: Record<string, unknown>): { type: string; kind: EventKind } {
  const event = str(payload.event);
  if (event !== null) {
    if (SESSION_EVENTS.has(event)) return { type: event, kind: 'session' };
    if (event === 'archive') return { type: event, kind: 'archive' };
    if (event === 'broadcast') return { type: event, kind: 'broadcast' };
    if (SIP_EVENTS.has(event)) return { type: event, kind: 'sip' };
    if (event === 'captions' || str(payload.captionsId) !== null || str(payload.captionId) !== null) return { type: event, kind: 'captions' };
    if (event.startsWith('render')) return { type: event, kind: 'render' };
    return { type: event, kind: 'unknown' };
  }
  if (str(payload.captionsId) !== null || str(payload.captionId) !== null) return { type: 'captions', kind: 'captions' };
  if (str(payload.id) !== null && 'streamId' in payload && str(payload.status) !== null) return { type: 'render', kind: 'render' };
  return { type: 'unknown', kind: 'unknown' };
}

/** The id of the thing a callback is about: connection, stream, archive, broadcast, render, captions or SIP call. */
export function subjectId(payload: Record<string, unknown>): string | null {
  return (
    str(obj(payload.stream)?.id) ??
    str(obj(payload.connection)?.id) ??
    str(obj(payload.call)?.id) ??
    str(payload.captionsId) ??
    str(payload.captionId) ??
    str(payload.id)
  );
}

/**
 * Callbacks carry no delivery id (CALLBACKS.md §2.1), so a redelivery is recognised by content:
 * event, session, subject id, status/state and the event's own time.
 */
export function dedupeKey(payload: Record<string, unknown>): string {
  const { type } = classify(payload);
  const parts = [
    type,
    str(payload.sessionId),
    subjectId(payload),
    str(payload.status) ?? str(payload.state),
    str(payload.reason) ?? str(payload.reason_code),
    num(payload.timestamp) ?? num(payload.updatedAt) ?? num(payload.createdAt),
  ];
  // A body with none of the identifying fields is keyed by its whole content.
  const material = parts.slice(1).every((p) => p === null) ? JSON.stringify(payload) : JSON.stringify(parts);
  return createHash('sha256').update(material).digest('base64url');
}

export function createMemoryEventStore(maxKeys = 100_000): EventStore {
  const claimed = new Map<string, number>();
  const buffer: OpenTokEvent[] = [];
  let seq = 0;
  return {
    async claim(key, ttlMs) {
      const now = Date.now();
      const until = claimed.get(key);
      if (until !== undefined && until > now) return null;
      claimed.delete(key);
      claimed.set(key, now + ttlMs);
      // Map iteration is insertion order: the oldest claims go first when the bound is hit.
      while (claimed.size > maxKeys) claimed.delete(claimed.keys().next().value!);
      return ++seq;
    },
    async remember(event, capacity) {
      buffer.push(event);
      if (buffer.length > capacity) buffer.splice(0, buffer.length - capacity);
    },
    async newest(scan) {
      return buffer.slice(-scan).reverse();
    },
    async close() {},
  };
}

export interface EventHubOptions {
  store?: EventStore;
  pubsub?: EventPubSub;
  capacity?: number;
  dedupeTtlMs?: number;
}

export function createEventHub(options: EventHubOptions = {}): EventHub {
  const store = options.store ?? createMemoryEventStore();
  const pubsub: EventPubSub = options.pubsub ?? createPubSub<{ 'opentok:event': [OpenTokEvent] }>();
  const capacity = options.capacity ?? RECENT_CAPACITY;
  const ttl = options.dedupeTtlMs ?? DEDUPE_TTL_MS;
  const open = new Set<AsyncIterator<OpenTokEvent>>();
  // Once subscriptions are completed for shutdown, new ones end at once instead of hanging on.
  let completed = false;

  return {
    async publish(payload) {
      const seq = await store.claim(dedupeKey(payload), ttl);
      if (seq === null) return null;
      const { type, kind } = classify(payload);
      const event: OpenTokEvent = {
        seq,
        type,
        kind,
        sessionId: str(payload.sessionId),
        receivedAt: Date.now(),
        occurredAt: num(payload.timestamp) ?? num(payload.updatedAt) ?? num(payload.createdAt),
        payload,
      };
      await store.remember(event, capacity);
      pubsub.publish('opentok:event', event);
      return event;
    },
    async recent(sessionId, limit = 20) {
      const all = await store.newest(capacity);
      const out: OpenTokEvent[] = [];
      for (const event of all) {
        if (out.length >= limit) break;
        if (!sessionId || event.sessionId === sessionId) out.push(event);
      }
      return out;
    },
    subscribe() {
      return {
        [Symbol.asyncIterator]() {
          if (completed) return { next: async () => ({ done: true, value: undefined }) };
          const inner = pubsub.subscribe('opentok:event')[Symbol.asyncIterator]();
          open.add(inner);
          const done = (): IteratorResult<OpenTokEvent> => {
            open.delete(inner);
            return { done: true, value: undefined };
          };
          return {
            async next() {
              const result = await inner.next();
              if (result.done) return done();
              return result;
            },
            async return() {
              await inner.return?.();
              return done();
            },
          };
        },
      };
    },
    subscriberCount: () => open.size,
    completeSubscriptions() {
      completed = true;
      for (const iterator of [...open]) void iterator.return?.();
      open.clear();
    },
    async close() {
      this.completeSubscriptions();
      await store.close();
    },
  };
}

/**
 * The events of `source` that `keep` accepts. Not an async generator on purpose: a generator's
 * `return()` waits behind its pending `next()`, so a subscription whose client left would stay
 * open until some later event woke it; here `return()` reaches the hub at once.
 */
export function filterEvents(source: AsyncIterable<OpenTokEvent>, keep: (event: OpenTokEvent) => boolean): AsyncIterableIterator<OpenTokEvent> {
  const inner = source[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      for (;;) {
        const result = await inner.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    async return() {
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
}
