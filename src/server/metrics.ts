/**
 * Prometheus metrics (`GET /metrics`): GraphQL requests per operation, upstream OpenTok calls
 * per REST operation, response-cache hits, callbacks, open subscriptions. Each gateway has its
 * own registry, so several gateways in one process (tests) do not collide.
 */
import { getOperationAST, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OpenTokError } from '../client/errors.js';
import type { OpenTokClient } from '../client/types.js';
import type { CacheCounters } from './cache.js';

export const METRICS_PATH = '/metrics';

export interface Metrics {
  registry: Registry;
  /** The client with every upstream call counted and timed by operation. */
  instrumentClient(client: OpenTokClient): OpenTokClient;
  cacheCounters: CacheCounters;
  countCallback(kind: string, outcome: string): void;
  /** Reports open subscriptions (by transport) when scraped. */
  trackSubscriptions(transport: 'all' | 'websocket', count: () => number): void;
  plugin(): Plugin;
}

const MAX_OPERATION_NAMES = 500;
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `query Name`, from the request's parameters; parsing only when the type is not evident. */
function operationOf(query: string | undefined, operationName: string | undefined | null): { type: string; name: string } {
  let type = 'query';
  const head = /^\s*(query|mutation|subscription)\b\s*([A-Za-z_][A-Za-z0-9_]*)?/.exec(query ?? '');
  // Without an operationName parameter, a document's (first) operation names itself.
  operationName ||= head?.[2];
  if (head) type = head[1]!;
  else if (query && !/^\s*[{#]/.test(query)) {
    try {
      type = getOperationAST(parse(query), operationName ?? undefined)?.operation ?? 'query';
    } catch {
      type = 'invalid';
    }
  }
  const name = operationName && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(operationName) ? operationName : '(anonymous)';
  return { type, name };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'gateway_graphql_requests_total',
    help: 'GraphQL requests by operation type, operation name and HTTP status.',
    labelNames: ['type', 'operation', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'Time to the response head of GraphQL requests, by operation.',
    labelNames: ['type', 'operation'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const upstreamCalls = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Calls to the OpenTok REST API by client operation and outcome (ok or the error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamDurations = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Latency of OpenTok REST calls (retries included) by client operation.',
    labelNames: ['operation'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const cacheHits = new Counter({ name: 'gateway_response_cache_hits_total', help: 'Reads answered from the response cache.', registers: [registry] });
  const cacheMisses = new Counter({ name: 'gateway_response_cache_misses_total', help: 'Response-cache lookups that found nothing.', registers: [registry] });
  const callbacks = new Counter({
    name: 'gateway_opentok_callbacks_total',
    help: 'OpenTok callbacks received, by kind and outcome (accepted, duplicate, refused, invalid).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const subscriptionSources = new Map<string, () => number>();
  new Gauge({
    name: 'gateway_subscriptions_active',
    help: 'Open GraphQL subscriptions on this instance (transport "all" counts SSE and WebSocket together).',
    labelNames: ['transport'] as const,
    registers: [registry],
    collect() {
      for (const [transport, count] of subscriptionSources) this.set({ transport }, count());
    },
  });

  return {
    registry,
    cacheCounters: { hit: () => cacheHits.inc(), miss: () => cacheMisses.inc() },
    countCallback: (kind, outcome) => callbacks.inc({ kind, outcome }),
    trackSubscriptions: (transport, count) => void subscriptionSources.set(transport, count),
    instrumentClient(client) {
      // A new object over the client (which is frozen): each upstream operation wrapped.
      const wrapped = Object.create(client) as OpenTokClient;
      const names = new Set<string>();
      for (let o: object | null = client; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
        for (const name of Object.getOwnPropertyNames(o)) names.add(name);
      }
      for (const name of names) {
        const value = (client as unknown as Record<string, unknown>)[name];
        if (typeof value !== 'function' || name === 'constructor') continue;
        const call = (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(client, args);
          // Token minting and the async iterators are not single REST calls.
          if (!(result instanceof Promise)) return result;
          const stop = upstreamDurations.startTimer({ operation: name });
          return result.then(
            (ok) => {
              stop();
              upstreamCalls.inc({ operation: name, outcome: 'ok' });
              return ok;
            },
            (error: unknown) => {
              stop();
              upstreamCalls.inc({ operation: name, outcome: error instanceof OpenTokError ? error.code : 'error' });
              throw error;
            },
          );
        };
        Object.defineProperty(wrapped, name, { value: call, enumerable: true });
      }
      return Object.freeze(wrapped);
    },
    plugin() {
      const started = new WeakMap<Request, { at: number; type: string; name: string }>();
      const knownNames = new Set<string>();
      return {
        async onRequest({ request, url, endResponse, fetchAPI }) {
          if (url.pathname === METRICS_PATH) {
            endResponse(new fetchAPI.Response(await registry.metrics(), { status: 200, headers: { 'content-type': registry.contentType } }));
          }
        },
        onParams({ request, params }) {
          const { type, name } = operationOf(params.query, params.operationName);
          // Names are caller-chosen: past a bound, new ones share one label so a hostile
          // client cannot grow the number of series without limit.
          if (!knownNames.has(name) && knownNames.size < MAX_OPERATION_NAMES) knownNames.add(name);
          started.set(request, { at: performance.now(), type, name: knownNames.has(name) ? name : '(other)' });
        },
        onResponse({ request, response }) {
          const entry = started.get(request);
          if (!entry) return;
          requests.inc({ type: entry.type, operation: entry.name, status: String(response.status) });
          durations.observe({ type: entry.type, operation: entry.name }, (performance.now() - entry.at) / 1000);
        },
      };
    },
  };
}
