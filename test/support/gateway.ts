/**
 * A real gateway on a random port in front of a real emulator on another, plus helpers for
 * the emulator's control API (simulated clients, request counters, faults, clock).
 */
import { createOpenTokClient } from '../../src/client/index.js';
import type { OpenTokClientConfig } from '../../src/client/types.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/gateway.js';
import { WEBHOOK_PATH } from '../../src/server/yoga.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors: { message: string; path?: (string | number)[]; extensions: Record<string, any> }[] | undefined;
}

export interface Requests {
  total: number;
  byOperation: Record<string, number>;
}

export interface TestGateway {
  url: string;
  graphqlUrl: string;
  emulator: RunningEmulator;
  gateway: Gateway;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  control: {
    connect(sessionId: string, token: string, data?: string): Promise<{ connectionId: string; role: string }>;
    publish(sessionId: string, connectionId: string, stream?: { name?: string; videoType?: string }): Promise<{ streamId: string }>;
    session(sessionId: string): Promise<Record<string, any>>;
    requests(): Promise<Requests>;
    reset(): Promise<void>;
    fault(fault: Record<string, unknown>): Promise<void>;
    clearFaults(): Promise<void>;
    advance(ms: number): Promise<void>;
  };
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Replace parts of the client config (e.g. wrong credentials). */
  client?: Partial<OpenTokClientConfig>;
  /** Deliver emulator callbacks to the gateway's webhook route. */
  callbacks?: boolean;
  /** More gateway options (response cache, Redis, auth, …). */
  gateway?: Omit<GatewayOptions, 'client'>;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  // With callbacks on, the emulator signs them and the gateway verifies the signatures.
  const callbackSecret = options.callbacks ? 'test-callback-secret' : undefined;
  const emulator = await startEmulator(callbackSecret ? { callbackSecret } : {});
  // No retries, so fault tests see each injected failure once and request counts are exact.
  const client = createOpenTokClient({
    apiKey: emulator.apiKey,
    apiSecret: emulator.apiSecret,
    apiUrl: emulator.url,
    timeoutMs: 5_000,
    retry: { retries: 0 },
    ...options.client,
  } as OpenTokClientConfig);
  const gateway = createGateway({ client, graphiql: true, callbackSecret: callbackSecret ?? null, ...options.gateway });
  const url = await gateway.listen(0, '127.0.0.1');
  if (options.callbacks) emulator.setCallbackUrl(`${url}${WEBHOOK_PATH}`);

  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${emulator.url}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} /_emulator${path} → ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    url,
    graphqlUrl: `${url}/graphql`,
    emulator,
    gateway,
    async gql(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: any; errors?: any[] };
      return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
    },
    control: {
      connect: (sessionId, token, data) => control('POST', `/sessions/${sessionId}/connections`, { token, ...(data ? { data } : {}) }),
      publish: (sessionId, connectionId, stream = {}) => control('POST', `/sessions/${sessionId}/connections/${connectionId}/streams`, stream),
      session: (sessionId) => control('GET', `/sessions/${sessionId}`),
      requests: () => control('GET', '/requests'),
      reset: () => control('POST', '/reset', {}),
      fault: (fault) => control('POST', '/faults', fault),
      clearFaults: () => control('DELETE', '/faults'),
      advance: (ms) => control('POST', '/clock', { advanceMs: ms }),
    },
    async close() {
      await gateway.close();
      await emulator.close();
    },
  };
}

/** Asserts a response has no errors and returns its data. */
export function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors, null, 2)}`);
  if (!response.data) throw new Error(`no data (HTTP ${response.status})`);
  return response.data;
}

/** A routed session with `publishers` simulated clients admitted with gateway-minted tokens, each publishing. */
export async function routedSessionWithPublishers(t: TestGateway, publishers = 2): Promise<{ sessionId: string; connectionIds: string[]; streamIds: string[] }> {
  const { createSession } = ok(await t.gql<{ createSession: { id: string } }>('mutation { createSession(input: { mediaMode: ROUTED }) { id } }'));
  const connectionIds: string[] = [];
  const streamIds: string[] = [];
  for (let i = 0; i < publishers; i++) {
    const { generateToken } = ok(
      await t.gql<{ generateToken: { token: string } }>(
        'mutation($sid: ID!, $data: String) { generateToken(input: { sessionId: $sid, role: PUBLISHER, data: $data }) { token } }',
        { sid: createSession.id, data: `user=${i}` },
      ),
    );
    const { connectionId } = await t.control.connect(createSession.id, generateToken.token);
    const { streamId } = await t.control.publish(createSession.id, connectionId, { name: `publisher ${i}` });
    connectionIds.push(connectionId);
    streamIds.push(streamId);
  }
  return { sessionId: createSession.id, connectionIds, streamIds };
}
