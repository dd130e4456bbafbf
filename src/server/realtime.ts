/**
 * The real-time and operations half of the composition root: the event hub (memory or Redis),
 * the response cache (memory or Redis), metrics, readiness, the graphql-ws endpoint and the
 * graceful shutdown order. `createGateway` (src/server/gateway.ts) wires it in.
 */
import type { Server } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { OpenTokClient } from '../client/types.js';
import { createMemoryResponseCache, createRedisResponseCache, responseCachePlugins, typesChangedBy, type ResponseCache } from './cache.js';
import { createEventHub, type EventHub } from './events.js';
import { createReadiness, upstreamCheck, type Readiness, type ReadinessCheck } from './health.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { connectRedis, createRedisEventStore, createRedisPubSub, type RedisConnections } from './pubsub.js';
import type { WebhookOptions } from './webhooks.js';
import { attachWebSocket, type WebSocketEndpoint } from './websocket.js';
import type { GatewayYoga } from './yoga.js';

export interface RealtimeOptions {
  log: Logger;
  /** Share events, dedupe keys and the response cache through this Redis; null = in memory. */
  redisUrl?: string | null;
  /** Replace the event hub (tests); its state is then the caller's. */
  events?: EventHub;
  /** Longest life of a cached read in ms (default 60 000); 0 turns the response cache off. */
  cacheTtlMs?: number;
}

export interface ShutdownOptions {
  /** How long /ready reports "draining" before connections are refused (load balancers notice). Default 0. */
  drainDelayMs?: number;
  /** How long in-flight requests may take before their connections are cut. Default 10 000. */
  graceMs?: number;
}

export interface Realtime {
  events: EventHub;
  metrics: Metrics;
  readiness: Readiness;
  responseCache: ResponseCache | null;
  redis: RedisConnections | null;
  /** Counts and times every upstream call. */
  instrumentClient(client: OpenTokClient): OpenTokClient;
  /** Plugins that answer before anything else (/ready, /metrics) and count requests. */
  opsPlugins: Plugin[];
  /** The response cache: after authentication, limits and rate limiting. */
  cachePlugins: Plugin[];
  webhookHooks: Pick<WebhookOptions, 'beforePublish' | 'count'>;
  /** Resolves once the instance is subscribed to shared events (immediately in memory). */
  ready: Promise<void>;
  /** Adds the graphql-ws endpoint and the upstream readiness check. */
  attach(server: Server, yoga: GatewayYoga, client: OpenTokClient): void;
  /**
   * Graceful stop: readiness fails, no new connections, subscriptions complete (SSE streams end,
   * graphql-ws sends `complete` then closes 1001), in-flight requests finish, then Redis closes.
   */
  shutdown(server: Server, options?: ShutdownOptions): Promise<void>;
}

export function createRealtime(options: RealtimeOptions): Realtime {
  const { log } = options;
  const metrics = createMetrics();
  const redis = options.redisUrl ? connectRedis(options.redisUrl) : null;
  let ready: Promise<void> = Promise.resolve();
  let events = options.events;
  if (!events) {
    if (redis) {
      const { pubsub, subscribed } = createRedisPubSub(redis);
      ready = subscribed;
      events = createEventHub({ pubsub, store: createRedisEventStore(redis) });
    } else {
      events = createEventHub();
    }
  }
  const hub = events;
  const cacheTtlMs = options.cacheTtlMs ?? 60_000;
  const responseCache = cacheTtlMs <= 0 ? null : redis ? createRedisResponseCache(redis, metrics.cacheCounters) : createMemoryResponseCache(metrics.cacheCounters);

  const checks: ReadinessCheck[] = [];
  if (redis) checks.push({ name: 'redis', check: () => redis.ping() });
  const readiness = createReadiness(checks);
  let ws: WebSocketEndpoint | null = null;
  metrics.trackSubscriptions('all', () => hub.subscriberCount());
  metrics.trackSubscriptions('websocket', () => ws?.connections() ?? 0);

  return {
    events: hub,
    metrics,
    readiness,
    responseCache,
    redis,
    instrumentClient: (client) => metrics.instrumentClient(client),
    opsPlugins: [readiness.plugin(), metrics.plugin()],
    cachePlugins: responseCache ? responseCachePlugins({ responseCache, ttlMs: cacheTtlMs }) : [],
    webhookHooks: {
      async beforePublish(event) {
        const types = typesChangedBy(event);
        if (responseCache && types.length > 0) await responseCache.invalidateTypes(types);
      },
      count: (kind, outcome) => metrics.countCallback(kind, outcome),
    },
    ready,
    attach(server, yoga, client) {
      ws = attachWebSocket(server, yoga, log);
      readiness.addCheck(upstreamCheck(client.apiUrl));
    },
    async shutdown(server, shutdown = {}) {
      readiness.drain();
      if (shutdown.drainDelayMs) await new Promise((r) => setTimeout(r, shutdown.drainDelayMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      hub.completeSubscriptions();
      await ws?.close();
      // Connections that go idle after their last response (ended SSE streams, finished
      // requests on keep-alive sockets) are closed as they become idle.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const cut = setTimeout(() => server.closeAllConnections(), shutdown.graceMs ?? 10_000);
      cut.unref();
      await closed;
      clearInterval(idle);
      clearTimeout(cut);
      await hub.close();
      await responseCache?.close();
      await redis?.close();
    },
  };
}
