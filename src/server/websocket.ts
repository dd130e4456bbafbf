/**
 * GraphQL over WebSocket (the `graphql-ws` protocol) on the same port and path as HTTP, run
 * through yoga's envelop so the context, authentication, authorization and limits are the ones
 * HTTP requests get. Credentials come from `connectionParams` (`authorization: "Bearer …"`, or
 * `token`) and are checked when the socket connects and again for each subscription.
 */
import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GatewayContext } from './context.js';
import type { Logger } from './log.js';
import type { GatewayYoga } from './yoga.js';

export interface WebSocketEndpoint {
  /** Open sockets. */
  connections(): number;
  /** Closes every socket with 1001 "going away" (clients reconnect elsewhere) and stops accepting. */
  close(): Promise<void>;
}

/**
 * The credentials of a graphql-ws connection as an HTTP request, so the very authentication
 * HTTP uses (the yoga context) decides: one place for the token rules.
 */
export function requestFromConnectionParams(url: string, params: Readonly<Record<string, unknown>> | undefined): Request {
  const headers = new Headers();
  const value = params?.authorization ?? params?.Authorization ?? (typeof params?.token === 'string' && params.token !== '' ? `Bearer ${params.token}` : undefined);
  if (typeof value === 'string' && value !== '') headers.set('authorization', value);
  return new Request(url, { headers });
}

const KEEPALIVE_MS = 25_000;

interface RootValue {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

export function attachWebSocket(server: Server, yoga: GatewayYoga, log: Logger): WebSocketEndpoint {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const sockets = new Set<WebSocket>();
  // Subscriptions running on the sockets, so shutdown can let their `complete` go out first.
  let operations = 0;
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Protocol-level pings keep idle subscription sockets open through load balancers and
  // proxies that drop quiet connections (often after 60 s).
  const keepAlive = setInterval(() => {
    for (const socket of sockets) socket.ping();
  }, KEEPALIVE_MS);
  keepAlive.unref();

  const contextFor = async (connectionParams: Readonly<Record<string, unknown>> | undefined, params?: unknown) => {
    const request = requestFromConnectionParams(`http://gateway${yoga.graphqlEndpoint}`, connectionParams);
    const enveloped = yoga.getEnveloped({ request, params } as never);
    return { enveloped, context: (await enveloped.contextFactory()) as unknown as GatewayContext };
  };

  useServer(
    {
      execute: (args) => (args.rootValue as RootValue).execute(args) as never,
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
      // Refuse bad credentials up front (close 4403) rather than on every subscribe.
      onConnect: async (ctx) => {
        const { context } = await contextFor(ctx.connectionParams);
        if (!context.authentication.ok) {
          log.info('websocket refused', { reason: context.authentication.reason });
          return false;
        }
        return true;
      },
      onOperation: () => {
        operations += 1;
      },
      onComplete: () => {
        operations = Math.max(0, operations - 1);
      },
      onError: () => {
        operations = Math.max(0, operations - 1);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { enveloped, context } = await contextFor(ctx.connectionParams, payload);
        const args = {
          schema: enveloped.schema,
          operationName: payload.operationName ?? null,
          document: enveloped.parse(payload.query),
          variableValues: payload.variables ?? null,
          contextValue: context,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        return args as ExecutionArgs;
      },
    },
    wss,
  );

  return {
    connections: () => sockets.size,
    async close() {
      clearInterval(keepAlive);
      // The event hub has just completed every subscription: wait (briefly) until graphql-ws
      // has sent each `complete`, so clients see a clean end before the 1001 close.
      const deadline = Date.now() + 1000;
      while (operations > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setImmediate(r));
      for (const socket of sockets) socket.close(1001, 'Server shutting down');
      return new Promise<void>((resolve) => {
        // Sockets that do not answer the close handshake are cut after a moment.
        const cut = setTimeout(() => {
          for (const socket of sockets) socket.terminate();
        }, 2000);
        cut.unref();
        wss.close(() => {
          clearTimeout(cut);
          resolve();
        });
      });
    },
  };
}
