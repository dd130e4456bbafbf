/**
 * The response cache: archive, broadcast and stream reads are answered from a cache (in memory,
 * or in Redis when instances share REDIS_URL), per caller, and invalidated by every mutation
 * and by every OpenTok callback that changes what they show.
 *
 * Invalidation is by type name (all cached responses that contain any Archive, …): a new
 * archive must drop cached pages that do not contain it yet, and an empty page contains no
 * archive id to invalidate by. Mutations and callbacks are rare next to reads, so the coarse
 * rule costs little and is never stale.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { OpenTokEvent } from './events.js';
import type { RedisConnections } from './pubsub.js';

/** The types whose reads are cached; each maps to the OpenTok objects a callback can change. */
export const CACHED_TYPES = ['Archive', 'Broadcast', 'Stream'] as const;
export type CachedType = (typeof CACHED_TYPES)[number];

export interface CacheEntity {
  typename: string;
  id?: string | number;
}

export interface ResponseCache {
  cache: Cache;
  /** Drops every cached response that contains these types (and waits until it is done). */
  invalidateTypes(types: readonly CachedType[]): Promise<void>;
  close(): Promise<void>;
}

/** When the current GraphQL execution started: a response computed from data read before an invalidation is not stored. */
const executionStart = new AsyncLocalStorage<number>();

/** Hits and misses, for /metrics. */
export interface CacheCounters {
  hit(): void;
  miss(): void;
}

function counted(cache: Cache, counters: CacheCounters | undefined): Cache {
  if (!counters) return cache;
  return {
    set: (id, data, entities, ttl) => cache.set(id, data, entities, ttl),
    invalidate: (entities) => cache.invalidate(entities),
    async get(id) {
      const found = await cache.get(id);
      if (found) counters.hit();
      else counters.miss();
      return found;
    },
  };
}

/** The in-memory cache of one process, with the same "not older than the last invalidation" guard as the Redis one. */
export function createMemoryResponseCache(counters?: CacheCounters): ResponseCache {
  const inner = createInMemoryCache({ max: 5000 });
  const invalidatedAt = new Map<string, number>();
  const cache: Cache = {
    set(id, data, entities, ttl) {
      const list = [...entities];
      const started = executionStart.getStore();
      if (started !== undefined && list.some((e) => (invalidatedAt.get(e.typename) ?? -1) >= started)) return;
      return inner.set(id, data, list, ttl);
    },
    get: (id) => inner.get(id),
    invalidate(entities) {
      const now = Date.now();
      const list = [...entities];
      for (const e of list) invalidatedAt.set(e.typename, now);
      return inner.invalidate(list);
    },
  };
  return {
    cache: counted(cache, counters),
    async invalidateTypes(types) {
      await cache.invalidate(types.map((typename) => ({ typename })));
    },
    async close() {},
  };
}

const PREFIX = 'opentok-gateway:rc:';

// Store a response unless one of its types was invalidated after the execution that produced it
// started, and index it under each of its entities.
const SET_SCRIPT = `
local started = tonumber(ARGV[1])
local n = tonumber(ARGV[4])
for i = 1, n do
  local at = redis.call('GET', ARGV[4 + n + i])
  if at and tonumber(at) >= started then return 0 end
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
for i = 1, n do
  redis.call('SADD', ARGV[4 + i], KEYS[1])
  redis.call('PEXPIRE', ARGV[4 + i], ARGV[2])
end
return 1`;

// Drop every response indexed under the given entity keys and note when each type was invalidated.
const INVALIDATE_SCRIPT = `
local now = ARGV[1]
local n = tonumber(ARGV[2])
for i = 1, n do
  local key = ARGV[2 + i]
  local members = redis.call('SMEMBERS', key)
  for _, member in ipairs(members) do redis.call('DEL', member) end
  redis.call('DEL', key)
  redis.call('SET', ARGV[2 + n + i], now, 'PX', 86400000)
end
return n`;

/** A response cache every instance shares through Redis: an invalidation on one is seen by all. */
export function createRedisResponseCache(redis: RedisConnections, counters?: CacheCounters): ResponseCache {
  const { command } = redis;
  const entityKey = (e: CacheEntity) => `${PREFIX}e:${e.typename}${e.id === undefined ? '' : `:${e.id}`}`;
  const invalidatedKey = (typename: string) => `${PREFIX}inv:${typename}`;
  const cache: Cache = {
    async set(id, data, entities, ttl) {
      if (!Number.isFinite(ttl) || ttl <= 0) return;
      const started = executionStart.getStore() ?? 0;
      // Every entity is indexed under its type too, so a type-wide invalidation finds it.
      const keys = new Set<string>();
      const typenames = new Set<string>();
      for (const e of entities) {
        keys.add(entityKey(e));
        keys.add(entityKey({ typename: e.typename }));
        typenames.add(e.typename);
      }
      const entityKeys = [...keys];
      const invKeys = entityKeys.map((k) => invalidatedKey(k.slice(`${PREFIX}e:`.length).split(':')[0]!));
      await command.eval(SET_SCRIPT, 1, `${PREFIX}r:${id}`, String(started), String(Math.round(ttl)), JSON.stringify(data), String(entityKeys.length), ...entityKeys, ...invKeys);
    },
    async get(id) {
      const text = await command.get(`${PREFIX}r:${id}`);
      return text === null ? null : JSON.parse(text);
    },
    async invalidate(entities) {
      const list = [...entities];
      if (list.length === 0) return;
      await command.eval(INVALIDATE_SCRIPT, 0, String(Date.now()), String(list.length), ...list.map(entityKey), ...list.map((e) => invalidatedKey(e.typename)));
    },
  };
  return {
    cache: counted(cache, counters),
    async invalidateTypes(types) {
      await cache.invalidate(types.map((typename) => ({ typename })));
    },
    async close() {},
  };
}

/** The cached types a callback changes: archives and broadcasts by their callbacks, streams by stream and connection ends. */
export function typesChangedBy(event: Pick<OpenTokEvent, 'kind' | 'type'>): CachedType[] {
  if (event.kind === 'archive') return ['Archive'];
  if (event.kind === 'broadcast') return ['Broadcast'];
  // A new stream joins lists; a stream that ends leaves them; so does every stream of a
  // connection that ends; SIP legs and renders publish streams of their own.
  if (event.kind === 'session' && event.type !== 'connectionCreated' && event.type !== 'sessionCreated') return ['Stream'];
  if (event.kind === 'sip' || event.kind === 'render') return ['Stream'];
  return [];
}

/** The cached types a mutation can change, from its root field names; anything unrecognised drops all of them. */
export function typesChangedByMutation(fields: readonly string[]): CachedType[] {
  const out = new Set<CachedType>();
  for (const field of fields) {
    if (/archive/i.test(field)) out.add('Archive');
    else if (/broadcast/i.test(field)) out.add('Broadcast');
    else if (/^(createSession|generateToken|sendSignal|startCaptions|stopCaptions)$/.test(field)) continue;
    else for (const t of CACHED_TYPES) out.add(t);
  }
  return [...out];
}

/**
 * One caller's cache partition: a hash of their credentials, so no response crosses principals.
 * The cache answers before authentication runs, so a bearer token past its `exp` (or before its
 * `nbf`) gets a partition of its own that nothing was ever stored in: it goes on to be refused
 * rather than served what it could read while it was valid. (Same string, same signature: only
 * the time claims can change a token's verdict.)
 */
export function cacheSession(request: Request): string | null {
  const authorization = request.headers.get('authorization');
  if (!authorization) return null;
  if (!withinValidity(authorization)) return `expired:${randomUUID()}`;
  return createHash('sha256').update(authorization).digest('base64url');
}

function withinValidity(authorization: string): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return true;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown; nbf?: unknown };
    const now = Date.now() / 1000;
    if (typeof claims.exp === 'number' && claims.exp <= now) return false;
    if (typeof claims.nbf === 'number' && claims.nbf > now) return false;
    return true;
  } catch {
    return true;
  }
}

/** JSON with object keys sorted, so the same variables in another order are the same key. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) parts.push(`${JSON.stringify(key)}:${stableStringify(record[key])}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * The cache key: the same inputs as the plugin's default (document, operation name, variables,
 * the caller's partition), hashed with synchronous `node:crypto`. The default hashes with
 * WebCrypto `crypto.subtle.digest`, an async job per request on Node 20 that was ≈ 18 % of the
 * CPU of a cache hit (bench/README.md, "What the profiles show"). Hex, as the default, since the
 * key is also the response's ETag.
 */
export function responseCacheKey(params: { documentString: string; variableValues?: Record<string, unknown> | null | undefined; operationName?: string | null | undefined; sessionId?: string | null | undefined }): string {
  return createHash('sha256')
    .update([params.documentString, params.operationName ?? '', stableStringify(params.variableValues ?? {}), params.sessionId ?? ''].join('|'))
    .digest('hex');
}

export interface ResponseCachePluginOptions {
  responseCache: ResponseCache;
  /** How long a cached read lives at most (ms); invalidation usually ends it sooner. */
  ttlMs: number;
}

export function responseCachePlugins(options: ResponseCachePluginOptions): Plugin[] {
  const { responseCache, ttlMs } = options;
  const ttlPerSchemaCoordinate = Object.fromEntries(CACHED_TYPES.map((t) => [t, ttlMs]));
  return [
    {
      instrumentation: {
        execute: (_payload, wrapped) => executionStart.run(Date.now(), wrapped),
      },
    },
    useResponseCache({
      cache: responseCache.cache,
      session: cacheSession,
      buildResponseCacheKey: responseCacheKey,
      // Only responses made of the cached types are stored: everything else lives 0 ms.
      ttl: 0,
      ttlPerSchemaCoordinate,
      // Cached responses are plain data; the extension would leak cache internals to callers.
      includeExtensionMetadata: false,
      enabled: (request) => request.method === 'POST' || request.method === 'GET',
    }),
    {
      // A mutation's own result names only what it returns; what it changed in lists it does
      // not, so every mutation drops the cached types it may have changed, after it ran and
      // before its response is sent.
      onExecute({ args }) {
        const operation = getOperationAST(args.document, args.operationName ?? undefined);
        if (operation?.operation !== 'mutation') return;
        const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
        const types = typesChangedByMutation(fields);
        return {
          async onExecuteDone() {
            if (types.length > 0) await responseCache.invalidateTypes(types);
          },
        };
      },
    },
  ];
}
