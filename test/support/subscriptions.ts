/**
 * Subscription clients for tests: Server-Sent Events (yoga's built-in transport, read from a
 * fetch body) and WebSocket (the real `graphql-ws` client over `ws`). Both collect every
 * `next` payload and say when the server completed the subscription.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Received {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

export interface TestSubscription {
  /** Every `next` payload so far. */
  events: Received[];
  /** Resolves when the server completes the subscription (or the stream ends); the value says how. */
  ended: Promise<'complete' | 'error' | 'closed'>;
  /** Waits until `count` payloads arrived (or fails after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): void;
}

function collector() {
  const events: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    events,
    push(event: Received) {
      events.push(event);
      for (const w of [...waiters]) if (events.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    waitFor(count: number, timeoutMs = 10_000): Promise<Received[]> {
      if (events.length >= count) return Promise.resolve(events);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${count} events; got ${events.length}: ${JSON.stringify(events.slice(-3))}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(events)) });
      });
    },
  };
}

/** A subscription over SSE: POST with `Accept: text/event-stream`. */
export function sse(graphqlUrl: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): TestSubscription & { response: Promise<Response> } {
  const c = collector();
  const abort = new AbortController();
  const response = fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const ended = (async (): Promise<'complete' | 'error' | 'closed'> => {
    try {
      const res = await response;
      if (!res.body) return 'closed';
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          if (event === 'complete') return 'complete';
          if (data) c.push(JSON.parse(data) as Received);
        }
      }
      return 'closed';
    } catch (error) {
      if (process.env.DEBUG_SSE) console.error('sse error', error);
      return abort.signal.aborted ? 'closed' : 'error';
    }
  })();
  return { events: c.events, waitFor: c.waitFor, ended, response, close: () => abort.abort() };
}

export interface WsOptions {
  connectionParams?: Record<string, unknown>;
  /** Where to (re)connect; a function lets a test move clients to another instance. */
  url: string | (() => string);
  retry?: boolean;
}

/** A graphql-ws client; call `subscribe` on it for each subscription. */
export function wsClient(options: WsOptions): Client & { closeEvents: { code: number; reason: string }[] } {
  const closeEvents: { code: number; reason: string }[] = [];
  const client = createClient({
    url: () => (typeof options.url === 'function' ? options.url() : options.url),
    webSocketImpl: WebSocket,
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    lazy: true,
    retryAttempts: options.retry ? 50 : 0,
    retryWait: async () => new Promise((r) => setTimeout(r, 100)),
    shouldRetry: () => options.retry === true,
    on: { closed: (event) => void closeEvents.push({ code: (event as { code: number }).code, reason: String((event as { reason?: string }).reason ?? '') }) },
  });
  return Object.assign(client, { closeEvents });
}

/** One subscription on a graphql-ws client. */
export function wsSubscribe(client: Client, query: string, variables: Record<string, unknown> = {}): TestSubscription {
  const c = collector();
  let unsubscribe = () => {};
  const ended = new Promise<'complete' | 'error' | 'closed'>((resolve) => {
    unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (value) => c.push(value as Received),
        error: (error) => {
          c.push({ errors: Array.isArray(error) ? error : [{ message: String((error as { reason?: string }).reason ?? error) , extensions: { closeCode: (error as { code?: number }).code } }] });
          resolve('error');
        },
        complete: () => resolve('complete'),
      },
    );
  });
  return { events: c.events, waitFor: c.waitFor, ended, close: () => unsubscribe() };
}

/** Polls until `predicate` holds. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
