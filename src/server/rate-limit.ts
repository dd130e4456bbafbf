/**
 * Rate limiting per caller: each operation (query, mutation, subscription start) counts once
 * against a fixed window, keyed by the token's subject, or by IP for anonymous callers. Counters
 * live in memory, or in Redis when REDIS_URL is set so every instance shares them. Over the
 * limit → RATE_LIMITED with `retryAfterSeconds` and a Retry-After header (HTTP 429).
 */
import type { Redis } from 'ioredis';
import type { Plugin } from 'graphql-yoga';
import { GatewayError } from '../resolvers/errors.js';
import type { Authentication } from './auth.js';
import type { Logger } from './log.js';
import type { RateLimitConfig } from './security-config.js';

export interface Hit {
  /** Operations counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<Hit>;
  close(): Promise<void>;
}

export function createMemoryStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  // Expired windows are dropped on a timer, so a flood of distinct IPs cannot grow the map forever.
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
  }, 10_000);
  sweep.unref();
  return {
    async hit(key, windowMs) {
      const t = now();
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, resetMs: w.resetAt - t };
    },
    async close() {
      clearInterval(sweep);
      windows.clear();
    },
  };
}

// INCR and the expiry set in one atomic step: two instances counting the same key at once can
// neither lose a hit nor leave a counter without an expiry.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

/**
 * Counters in Redis. If Redis fails, the hit is counted in memory instead (logged): a Redis
 * outage degrades the limit to per instance rather than opening it or taking the API down.
 */
export function createRedisStore(redis: Redis, log: Logger, prefix = 'otgw:rl:'): RateLimitStore {
  const fallback = createMemoryStore();
  return {
    async hit(key, windowMs) {
      try {
        const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, `${prefix}${key}`, String(windowMs))) as [number, number];
        return { count: Number(count), resetMs: Number(ttl) };
      } catch (error) {
        log.warn('rate limit: Redis unavailable, counting in memory', { error });
        return fallback.hit(key, windowMs);
      }
    },
    async close() {
      await fallback.close();
    },
  };
}

interface RateContext {
  authentication?: Authentication;
  request?: Request;
  req?: { socket?: { remoteAddress?: string } };
}

/** The key of a caller: its subject when it has one, its IP otherwise. */
export function callerKey(context: RateContext, trustProxy: boolean): string {
  const auth = context.authentication;
  if (auth?.ok && auth.viewer && !auth.viewer.anonymous && auth.viewer.subject) return `sub:${auth.viewer.subject}`;
  let ip: string | undefined;
  if (trustProxy) ip = context.request?.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  ip ||= context.req?.socket?.remoteAddress ?? 'unknown';
  return `ip:${ip}`;
}

export function rateLimitPlugin(config: RateLimitConfig, store: RateLimitStore): Plugin {
  const check = async (context: RateContext): Promise<GatewayError | null> => {
    const { count, resetMs } = await store.hit(callerKey(context, config.trustProxy), config.windowMs);
    if (count <= config.max) return null;
    const retryAfterSeconds = Math.max(1, Math.ceil(resetMs / 1000));
    return new GatewayError('RATE_LIMITED', `Too many requests: at most ${config.max} operations per ${config.windowMs / 1000} s; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
      http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
    });
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue as RateContext);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue as RateContext);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
