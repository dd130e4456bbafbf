/**
 * Shared state for many gateway instances: with REDIS_URL, the event fan-out goes through Redis
 * pub/sub (`@graphql-yoga/redis-event-target`), and de-duplication keys, event sequence numbers
 * and the recent-events window are Redis keys, so any instance can take any callback and any
 * subscriber. Without it, everything stays in memory (src/server/events.ts).
 */
import { createPubSub } from 'graphql-yoga';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { EventPubSub, EventStore, OpenTokEvent } from './events.js';

const PREFIX = 'opentok-gateway:';
const EVENTS_TOPIC = 'opentok:event';

// Claim and number in one round trip, so two instances that receive the same redelivery at the
// same moment cannot both accept it.
const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;

export interface RedisConnections {
  /** Commands (and publishing). */
  command: Redis;
  /** Subscriber-mode connection (Redis allows nothing else on it). */
  subscriber: Redis;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function connectRedis(url: string): RedisConnections {
  // Commands wait in ioredis's offline queue while it reconnects; a bounded retry delay keeps
  // a Redis restart from turning into a long outage.
  const options = { maxRetriesPerRequest: 3, retryStrategy: (times: number) => Math.min(times * 100, 2000), lazyConnect: false };
  const command = new Redis(url, options);
  // The subscriber's SUBSCRIBE waits for Redis however long it is away (ioredis resubscribes on
  // reconnect): a failed SUBSCRIBE would leave this instance deaf without saying so.
  const subscriber = new Redis(url, { ...options, maxRetriesPerRequest: null });
  // Connection errors are retried by ioredis; readiness reports them (src/server/health.ts).
  command.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  return {
    command,
    subscriber,
    async ping() {
      try {
        return (await Promise.race([command.ping(), new Promise<string>((r) => setTimeout(() => r('timeout'), 1000).unref())])) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      // QUIT lets queued commands finish; against a Redis that is away it would only wait.
      if (command.status === 'ready') await command.quit().catch(() => undefined);
      command.disconnect();
      subscriber.disconnect();
    },
  };
}

/** The event fan-out over Redis; `subscribed` settles once this instance listens, so no event is missed after it. */
export function createRedisPubSub(redis: RedisConnections): { pubsub: EventPubSub; subscribed: Promise<void> } {
  const eventTarget = createRedisEventTarget<CustomEvent<OpenTokEvent>>({ publishClient: redis.command, subscribeClient: redis.subscriber });
  // A permanent listener keeps the channel subscribed between subscribers: the event target
  // unsubscribes when its last listener leaves, and re-subscribing is asynchronous (a window
  // in which events would be lost).
  eventTarget.addEventListener(EVENTS_TOPIC, () => undefined);
  const subscribed = redis.subscriber.subscribe(EVENTS_TOPIC).then(() => undefined);
  return { pubsub: createPubSub<{ 'opentok:event': [OpenTokEvent] }>({ eventTarget: eventTarget as never }), subscribed };
}

export function createRedisEventStore(redis: RedisConnections): EventStore {
  const { command } = redis;
  const recentKey = `${PREFIX}events:recent`;
  const seqKey = `${PREFIX}events:seq`;
  return {
    async claim(key, ttlMs) {
      const seq = (await command.eval(CLAIM_SCRIPT, 2, `${PREFIX}dedupe:${key}`, seqKey, String(ttlMs))) as number;
      return seq === 0 ? null : seq;
    },
    async remember(event, capacity) {
      await command.multi().lpush(recentKey, JSON.stringify(event)).ltrim(recentKey, 0, capacity - 1).exec();
    },
    async newest(scan) {
      const items = await command.lrange(recentKey, 0, scan - 1);
      return items.map((item) => JSON.parse(item) as OpenTokEvent);
    },
    async close() {},
  };
}
