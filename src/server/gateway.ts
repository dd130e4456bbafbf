/**
 * The composition root as functions: `createGateway` wires a client into an HTTP server,
 * `startGateway` does everything `npm start` does (config → client or embedded emulator →
 * demo data → listen → callbacks), so tests can run exactly what users run.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenTokClient } from '../client/index.js';
import type { OpenTokClient, OpenTokClientConfig } from '../client/types.js';
import { startEmulator } from '../emulator/index.js';
import { coalesceReads } from './coalesce.js';
import { devAuthConfig, mintDevToken, type AuthConfig } from './auth.js';
import type { GatewayConfig } from './config.js';
import { seedDemo, type DemoData } from './demo.js';
import type { EventHub } from './events.js';
import { createLogger, type Logger } from './log.js';
import { loadPersistedOperations } from './limits.js';
import { createRealtime, type Realtime, type ShutdownOptions } from './realtime.js';
import { createGatewayYoga, GRAPHQL_PATH, WEBHOOK_PATH, type GatewayYoga, type YogaDeps } from './yoga.js';

export interface GatewayOptions {
  client: OpenTokClient;
  log?: Logger;
  graphiql?: boolean;
  events?: EventHub;
  /** Authenticate callers with JWTs; default off. */
  auth?: AuthConfig | null;
  /** Verify OpenTok callback signatures with this secret; default off. */
  callbackSecret?: string | null;
  /** Limits, rate limiting, persisted operations, CORS (src/server/security.ts); default limits otherwise. */
  security?: YogaDeps['security'];
  /** Share events, callback dedupe and the response cache with other instances through this Redis. */
  redisUrl?: string | null;
  /** Longest life of a cached archive/broadcast/stream read, ms; default 0 = no response cache. */
  cacheTtlMs?: number;
  /** Graceful-shutdown timing (src/server/realtime.ts). */
  shutdown?: ShutdownOptions;
}

export interface Gateway {
  yoga: GatewayYoga;
  events: EventHub;
  server: Server;
  /** Metrics, readiness, the response cache and the Redis connections of this instance. */
  realtime: Realtime;
  /** Starts listening; resolves with the base URL (`http://host:port`). */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Graceful stop: /ready fails, no new connections, subscriptions complete, in-flight
   * requests finish, then Redis closes.
   */
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const log = options.log ?? createLogger('silent');
  const realtime = createRealtime({ log, redisUrl: options.redisUrl ?? null, cacheTtlMs: options.cacheTtlMs ?? 0, ...(options.events ? { events: options.events } : {}) });
  const { events } = realtime;
  // Concurrent identical reads share one upstream call (src/server/coalesce.ts); outside the
  // metrics wrapper, so upstream metrics count the calls actually sent.
  const client = coalesceReads(realtime.instrumentClient(options.client));
  const realtimeDeps = { opsPlugins: realtime.opsPlugins, cachePlugins: realtime.cachePlugins, webhookHooks: realtime.webhookHooks };
  const yoga = createGatewayYoga({ ...realtimeDeps, client, log, events, graphiql: options.graphiql ?? true, auth: options.auth ?? null, callbackSecret: options.callbackSecret ?? null, ...(options.security ? { security: options.security } : {}) });
  const server = createServer(yoga);
  realtime.attach(server, yoga, client);
  return {
    yoga,
    events,
    server,
    realtime,
    async listen(port = 0, host) {
      // Subscribed to shared events before taking traffic, so no callback is missed.
      await realtime.ready;
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = host && host !== '0.0.0.0' && host !== '::' ? (host.includes(':') ? `[${host}]` : host) : 'localhost';
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    async close() {
      await realtime.shutdown(server, options.shutdown);
      // Plugins release what they hold (e.g. the rate limiter's Redis connection).
      await yoga.dispose();
    },
  };
}

export interface RunningGateway {
  /** Base URL, e.g. http://localhost:4000. */
  url: string;
  graphqlUrl: string;
  /** What the gateway talks to, for the start-up banner. */
  upstream: { kind: 'emulator' | 'opentok' | 'vonage'; apiUrl: string; projectId: string };
  emulator: { url: string; apiKey: string } | null;
  demo: DemoData | null;
  /**
   * How callers are authenticated: `open` = the embedded emulator without auth settings
   * (anonymous callers have every scope; `devToken` has every scope too, for GraphiQL's headers
   * tab); `none` = AUTH_MODE=none; `jwt` = tokens required.
   */
  auth: { mode: 'open' | 'none' | 'jwt'; devToken: string | null };
  close(): Promise<void>;
}

/** Starts the gateway as configured; with no credentials, on a fresh embedded emulator. */
export async function startGateway(config: GatewayConfig, log: Logger = createLogger(config.logLevel)): Promise<RunningGateway> {
  const common = { timeoutMs: config.timeoutMs, retry: { retries: config.retries } };
  let emulator: Awaited<ReturnType<typeof startEmulator>> | null = null;
  let clientConfig: OpenTokClientConfig;
  let callbackSecret = config.callbackSecret;
  if (config.upstream.kind === 'emulator') {
    // The embedded emulator signs its callbacks as the platform does, so the webhook route
    // verifies signatures in the demo exactly as it would in production.
    callbackSecret ??= randomBytes(24).toString('base64url');
    emulator = await startEmulator({ port: config.emulatorPort, host: '127.0.0.1', callbackSecret });
    clientConfig = { apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, apiUrl: emulator.url, ...common };
  } else if (config.upstream.kind === 'opentok') {
    const { apiKey, apiSecret, apiUrl } = config.upstream;
    clientConfig = { apiKey, apiSecret, ...(apiUrl ? { apiUrl } : {}), ...common };
  } else {
    const { applicationId, privateKey, apiUrl } = config.upstream;
    clientConfig = { applicationId, privateKey, ...(apiUrl ? { apiUrl } : {}), ...common };
  }

  // Config refuses real credentials without auth settings; this guards callers that build a config by hand.
  if (config.auth === null && config.upstream.kind !== 'emulator') throw new Error('Real OpenTok credentials need an auth configuration (or AUTH_MODE=none)');
  const auth = config.auth ?? devAuthConfig();
  const devToken = config.auth === null && auth.mode === 'jwt' ? await mintDevToken(auth) : null;
  const authMode = config.auth === null ? 'open' : auth.mode;
  if (authMode !== 'jwt') log.warn(`caller authentication is OFF (${authMode === 'open' ? 'embedded emulator without auth settings' : 'AUTH_MODE=none'}): anyone who can reach this port has every scope`);
  const { persistedOperationsPath, ...security } = config.security;
  if (callbackSecret === null && !security.callbackAuth.pathSecret && !security.callbackAuth.basicAuth) {
    log.warn('no OPENTOK_CALLBACK_SECRET, OPENTOK_CALLBACK_PATH_SECRET or OPENTOK_CALLBACK_BASIC_AUTH: every OpenTok callback will be refused (401)');
  }
  const persistedOperations = persistedOperationsPath ? loadPersistedOperations(persistedOperationsPath) : null;
  const client = createOpenTokClient(clientConfig);
  const realtime = { redisUrl: config.security.redisUrl, cacheTtlMs: config.cacheTtlMs, shutdown: config.shutdown };
  const gateway = createGateway({ ...realtime, client, log, graphiql: config.graphiql, auth, callbackSecret, security: { ...security, persistedOperations } });
  let demo: DemoData | null = null;
  try {
    const url = await gateway.listen(config.port, config.host);
    if (emulator) {
      // Callbacks go to the gateway's webhook route, which feeds recentEvents and opentokEvents.
      emulator.setCallbackUrl(`${config.publicUrl ?? url}${WEBHOOK_PATH}`);
      if (config.seedDemo) {
        // Demo data is a convenience: without it the gateway still serves the (empty) emulator.
        demo = await seedDemo(client, emulator.url).catch((error: unknown) => {
          log.warn('could not seed demo data', { error });
          return null;
        });
      }
    }
    return {
      url,
      graphqlUrl: `${url}${GRAPHQL_PATH}`,
      upstream: { kind: config.upstream.kind, apiUrl: client.apiUrl, projectId: client.projectId },
      emulator: emulator ? { url: emulator.url, apiKey: emulator.apiKey } : null,
      demo,
      auth: { mode: authMode, devToken },
      async close() {
        await gateway.close();
        await emulator?.close();
      },
    };
  } catch (error) {
    await gateway.close().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    throw error;
  }
}
