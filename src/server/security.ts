/**
 * Everything issue 5 adds to the yoga instance, composed in one place so yoga.ts takes it as a
 * plugin list, a CORS option and an authenticator: authentication, limits, introspection,
 * CSRF, persisted operations and rate limiting (in memory, or in Redis when configured).
 */
import { Redis } from 'ioredis';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import { authPlugin, createAuthenticator, type AuthConfig, type Authenticator } from './auth.js';
import { armorPlugins, bodyLimitPlugin, csrfPlugin, errorCodesPlugin, inputHygienePlugin, introspectionPlugin, persistedOperationsPlugins, type PersistedOperations } from './limits.js';
import type { Logger } from './log.js';
import type { CallbackAuthConfig } from './webhook-auth.js';
import { createMemoryStore, createRedisStore, rateLimitPlugin, type RateLimitStore } from './rate-limit.js';
import { DEFAULT_LIMITS, type LimitsConfig, type RateLimitConfig } from './security-config.js';

export interface SecurityOptions {
  /** Caller authentication; null/`none` = open (every caller has every scope). */
  auth: AuthConfig | null;
  limits?: Partial<LimitsConfig>;
  /** null = no rate limit. */
  rateLimit?: RateLimitConfig | null;
  /** Rate-limit counters in this Redis (shared by instances); otherwise in memory. */
  redisUrl?: string | null;
  persistedOperations?: PersistedOperations | null;
  /** Allowed browser origins (`*` = any); null = no CORS headers. */
  corsOrigins?: string[] | null;
  /** Legacy callback auth for the webhook route (src/server/webhook-auth.ts); absent = library default. */
  callbackAuth?: Omit<CallbackAuthConfig, 'signatureSecret'>;
}

export interface Security {
  authenticator: Authenticator;
  plugins: Plugin[];
  cors: YogaServerOptions<Record<string, never>, Record<string, unknown>>['cors'];
}

export function createSecurity(options: SecurityOptions, log: Logger): Security {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const authenticator = createAuthenticator(options.auth);
  let store: RateLimitStore | null = null;
  let redis: Redis | null = null;
  if (options.rateLimit) {
    if (options.redisUrl) {
      // Commands wait for the first connection (no request at start-up is counted elsewhere), but
      // fail within 250 ms while Redis is down, and the store then counts in memory.
      redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 250 });
      redis.on('error', (error: unknown) => log.debug('rate limit: Redis connection error', { error }));
      store = createRedisStore(redis, log);
    } else {
      store = createMemoryStore();
    }
  }
  const disposer: Plugin = {
    async onDispose() {
      await store?.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
  const origins = options.corsOrigins ?? null;
  return {
    authenticator,
    cors:
      origins === null
        ? false
        : {
            origin: origins.includes('*') ? '*' : origins,
            credentials: !origins.includes('*'),
            allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'x-graphql-yoga-csrf', 'graphql-require-preflight'],
            exposedHeaders: ['x-request-id', 'retry-after'],
            methods: ['GET', 'POST', 'OPTIONS'],
            maxAge: 600,
          },
    plugins: [
      bodyLimitPlugin(limits.maxBodyBytes),
      csrfPlugin(),
      ...(options.persistedOperations ? persistedOperationsPlugins(options.persistedOperations) : []),
      ...armorPlugins(limits),
      ...introspectionPlugin(limits.introspection),
      inputHygienePlugin(),
      // Counted before authentication: a flood of bad tokens is limited per IP like anonymous calls.
      ...(options.rateLimit && store ? [rateLimitPlugin(options.rateLimit, store)] : []),
      authPlugin(),
      errorCodesPlugin(),
      disposer,
    ],
  };
}
