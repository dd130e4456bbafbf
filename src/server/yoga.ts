/**
 * graphql-yoga with the schema, GraphiQL, the error convention (src/resolvers/errors.ts),
 * request ids, and the OpenTok webhook route (src/server/webhooks.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { getOperationAST, GraphQLError } from 'graphql';
import { createGraphQLError, createYoga, maskError as yogaMaskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { OpenTokClient } from '../client/types.js';
import { ERROR_CODES, fromOpenTokError } from '../resolvers/errors.js';
import { schema } from '../schema/index.js';
import type { AuthConfig } from './auth.js';
import { createContext, type GatewayContext } from './context.js';
import { graphiqlAssetsPlugin, renderGraphiQLPage } from './graphiql.js';
import type { EventHub } from './events.js';
import type { Logger } from './log.js';
import { createSecurity, type SecurityOptions } from './security.js';
import { webhookPlugin, type WebhookOptions } from './webhooks.js';

export const GRAPHQL_PATH = '/graphql';
export { WEBHOOK_PATH } from './webhooks.js';

/** The operation GraphiQL opens with: something that returns data on a fresh `npm start`. */
export const DEFAULT_QUERY = `# Welcome to the OpenTok gateway. Press ▶ (or Ctrl-Enter) to run.
# The Docs pane (top left) describes every type and field.
query RecentArchives {
  archives(offset: 0, count: 10) {
    totalCount
    hasMore
    items {
      id
      name
      status
      duration
      size
      createdAt
      url
      session {
        id
        streams {
          id
          name
          videoType
        }
        activeBroadcast {
          id
          hls {
            url
          }
        }
      }
    }
  }
}
`;

/** Each request runs with its id in scope, so masked errors and logs can name it. */
const requestIds = new AsyncLocalStorage<string>();

function requestIdFor(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

function requestIdPlugin(): Plugin {
  const ids = new WeakMap<Request, string>();
  return {
    instrumentation: {
      request: ({ request }, wrapped) => {
        const id = requestIdFor(request);
        ids.set(request, id);
        return requestIds.run(id, wrapped);
      },
    },
    onResponse({ request, response }) {
      const id = ids.get(request);
      if (id) response.headers.set('x-request-id', id);
    },
  };
}

/**
 * One log line per executed operation: what ran, for whom (request id), how long, how it ended.
 * Successful operations log at `debug`, operations with errors at `info`: a line per request
 * was ≈ 12 % of the gateway's CPU under load even written asynchronously (bench/README.md), and
 * /metrics already counts and times every operation by name. LOG_LEVEL=debug brings them back.
 */
function operationLogPlugin(log: Logger): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now();
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result && Array.isArray(result.errors) ? result.errors : [];
          (errors.length > 0 ? log.info : log.debug)('graphql', {
            requestId: (args.contextValue as Partial<GatewayContext>).requestId,
            operation: `${operation?.operation ?? 'query'} ${operation?.name?.value ?? '(anonymous)'}`,
            ms: Math.round(performance.now() - started),
            errors: errors.map((e: GraphQLError) => e.extensions?.code ?? 'GRAPHQL_ERROR'),
          });
        },
      };
    },
  };
}

const isGatewayCode = (code: unknown): boolean => typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);

// Duck-typed rather than `instanceof`: a test runner or bundler can load graphql twice (ESM and
// CJS), and then yoga's GraphQLError is not ours.
interface GraphQLErrorLike {
  extensions?: Record<string, unknown>;
  originalError?: unknown;
}
const isGraphQLErrorLike = (value: unknown): value is GraphQLErrorLike & GraphQLError =>
  value instanceof GraphQLError || (value instanceof Error && value.name === 'GraphQLError' && 'extensions' in value);

function rootCause(error: unknown): unknown {
  let current = error;
  while (isGraphQLErrorLike(current) && current.originalError) current = current.originalError;
  return current;
}

/**
 * Errors with a gateway code pass; OpenTok client errors that escaped a resolver are given one;
 * GraphQL's own errors (syntax, validation) pass; anything else is masked and logged in full.
 */
export function createMaskError(log: Logger) {
  return (error: unknown, message: string): Error => {
    if (isGraphQLErrorLike(error) && isGatewayCode(error.extensions?.code)) return error;
    const cause = rootCause(error);
    const located = isGraphQLErrorLike(error) ? error : undefined;
    const mapped = fromOpenTokError(cause);
    if (mapped && isGatewayCode(mapped.extensions.code)) {
      return createGraphQLError(mapped.message, {
        ...(located ? { nodes: located.nodes, path: located.path, source: located.source, positions: located.positions } : {}),
        extensions: mapped.extensions,
      });
    }
    // GraphQL's own errors (syntax, validation, bad variables) are the caller's to see.
    if (located && (cause === located || isGraphQLErrorLike(cause))) return yogaMaskError(error, message, false);
    const requestId = requestIds.getStore() ?? randomUUID();
    log.error('unexpected error', { requestId, path: located?.path, error: cause });
    const masked = yogaMaskError(error, message, false) as GraphQLError;
    return createGraphQLError(masked.message, {
      nodes: masked.nodes,
      path: masked.path,
      source: masked.source,
      positions: masked.positions,
      extensions: { ...masked.extensions, requestId },
    });
  };
}

export interface YogaDeps {
  client: OpenTokClient;
  log: Logger;
  events: EventHub;
  graphiql: boolean;
  /** Caller authentication; null = open. */
  auth: AuthConfig | null;
  /** Limits, rate limiting, persisted operations, CORS (src/server/security.ts); defaults when absent. */
  security?: Omit<SecurityOptions, 'auth'>;
  /** Accept only callbacks signed with this secret; null = accept unsigned callbacks. */
  callbackSecret: string | null;
  /** /ready, /metrics and request metrics (src/server/realtime.ts): first, so probes are never limited. */
  opsPlugins?: Plugin[];
  /** The response cache (src/server/cache.ts): after authentication, limits and rate limiting. */
  cachePlugins?: Plugin[];
  /** Cache invalidation and counting for accepted callbacks. */
  webhookHooks?: Pick<WebhookOptions, 'beforePublish' | 'count'>;
}

export type GatewayYoga = YogaServerInstance<Record<string, never>, GatewayContext>;

export function createGatewayYoga(deps: YogaDeps): GatewayYoga {
  const security = createSecurity({ auth: deps.auth, ...deps.security }, deps.log);
  return createYoga<Record<string, never>, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // Our body limit (bodyLimitPlugin in src/server/limits.ts, MAX_BODY_BYTES) reads the body once
    // and refuses it past the limit. Yoga's own (25 MB by default) would pipe every body through
    // a TransformStream as well: web-stream plumbing, an AbortSignal and a DOMException per
    // request, ≈ 15 % of a cached read's CPU in the profile, for a limit ours already enforces.
    maxRequestBodySize: false,
    graphiql: deps.graphiql ? { title: 'OpenTok gateway', defaultQuery: DEFAULT_QUERY } : false,
    renderGraphiQL: renderGraphiQLPage,
    context: async ({ request }) => createContext(deps, requestIds.getStore(), await security.authenticator.authenticate(request)),
    cors: security.cors,
    maskedErrors: { maskError: createMaskError(deps.log) },
    logging: {
      debug: (...args: unknown[]) => deps.log.debug(args.map(String).join(' ')),
      info: (...args: unknown[]) => deps.log.info(args.map(String).join(' ')),
      warn: (...args: unknown[]) => deps.log.warn(args.map(String).join(' ')),
      error: (...args: unknown[]) => deps.log.error(args.map(String).join(' ')),
    },
    plugins: [
      ...(deps.opsPlugins ?? []),
      ...security.plugins,
      requestIdPlugin(),
      operationLogPlugin(deps.log),
      ...(deps.cachePlugins ?? []),
      webhookPlugin({ events: deps.events, log: deps.log, callbackSecret: deps.callbackSecret, ...deps.webhookHooks, ...(deps.security?.callbackAuth ? { callbackAuth: deps.security.callbackAuth } : {}) }),
      ...(deps.graphiql ? [graphiqlAssetsPlugin()] : []),
    ],
  });
}
