/**
 * The HTTP layer: one ky instance per client, per-attempt timeouts, retries and error mapping.
 *
 * Retries are ours rather than ky's: only GET, PUT and DELETE are retried (a retried POST could
 * start a second archive, broadcast or SIP call), a server's Retry-After is honoured but capped,
 * a timeout covers the body as well as the headers, and every failure becomes a typed
 * `OpenTokError` that keeps the status, the server's message and the operation.
 */
import ky, { type KyInstance } from 'ky';
import type { ProjectAuth } from './auth.js';
import {
  errorForStatus,
  OpenTokError,
  OpenTokUnavailableError,
  OpenTokUnexpectedResponseError,
} from './errors.js';
import type { RetryPolicy } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestSpec {
  /** The client operation, for errors (e.g. `startArchive`). */
  operation: string;
  method: HttpMethod;
  /** Relative to the API URL, without a leading slash. */
  path: string;
  searchParams?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  /** Success statuses of this operation; any other 2xx is an unexpected response. */
  expect: readonly number[];
  signal?: AbortSignal | undefined;
}

export interface HttpResult {
  status: number;
  contentType: string;
  text: string;
  retryAfter: string | null;
}

export interface HttpConfig {
  apiUrl: string;
  timeoutMs: number;
  retry: Required<RetryPolicy>;
  userAgent: string;
  fetch?: typeof globalThis.fetch | undefined;
  auth: ProjectAuth;
}

export interface Http {
  send(spec: RequestSpec): Promise<HttpResult>;
}

const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);

/** The server's own message from a JSON `{code,message}`, an XML `<errorPayload>` or plain text. */
export function extractServerMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const body: unknown = JSON.parse(trimmed);
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        const record = body as Record<string, unknown>;
        for (const key of ['message', 'error', 'description', 'title', 'detail']) {
          const value = record[key];
          if (typeof value === 'string' && value !== '') return value;
        }
      }
    } catch {
      // Not JSON after all: fall through to the raw text.
    }
  }
  if (trimmed.startsWith('<')) {
    const match = /<message>([\s\S]*?)<\/message>/i.exec(trimmed);
    return match?.[1] !== undefined ? decodeXmlText(match[1]) : undefined;
  }
  return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
}

/** Decodes the five predefined XML entities (and numeric ones) in element text. */
export function decodeXmlText(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number.parseInt(dec, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date); undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Exponential back-off with equal jitter: half fixed, half random, capped. */
export function backoffDelay(attempt: number, policy: Required<RetryPolicy>, random: () => number = Math.random): number {
  const exponential = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type AttemptFailure = { kind: 'timeout' | 'network'; cause: unknown };

/** Builds the HTTP layer over one ky instance. */
export function createHttp(config: HttpConfig): Http {
  const prefixUrl = config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
  const api: KyInstance = ky.create({
    prefixUrl,
    // Timeouts and retries are handled below, per attempt (see the file comment).
    timeout: false,
    retry: 0,
    throwHttpErrors: false,
    // fetch drops Authorization on a cross-origin redirect but not X-OPENTOK-AUTH; the API never
    // redirects, so a redirect is reported instead of followed with the project JWT attached.
    redirect: 'manual',
    headers: { Accept: 'application/json', 'User-Agent': config.userAgent },
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });

  async function attempt(spec: RequestSpec): Promise<HttpResult | AttemptFailure> {
    const [authName, authValue] = await config.auth.header();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('timeout')), config.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout.signal]) : timeout.signal;
    try {
      const searchParams: Record<string, string> = {};
      for (const [key, value] of Object.entries(spec.searchParams ?? {})) {
        if (value !== undefined) searchParams[key] = String(value);
      }
      const response = await api(spec.path, {
        method: spec.method,
        headers: { [authName]: authValue },
        searchParams,
        signal,
        ...(spec.json !== undefined ? { json: spec.json } : {}),
        ...(spec.form !== undefined ? { body: new URLSearchParams(spec.form) } : {}),
      });
      // Read the body under the same deadline: a server can stall after the headers.
      const text = await response.text();
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        text,
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      if (spec.signal?.aborted) throw spec.signal.reason;
      if (timeout.signal.aborted) return { kind: 'timeout', cause: error };
      return { kind: 'network', cause: error };
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(spec: RequestSpec): Promise<HttpResult> {
    const retryable = IDEMPOTENT.has(spec.method);
    const maxRetries = retryable ? config.retry.retries : 0;
    for (let attemptNo = 0; ; attemptNo += 1) {
      spec.signal?.throwIfAborted();
      const outcome = await attempt(spec);
      let failure: OpenTokError;
      let delay = backoffDelay(attemptNo, config.retry);

      if ('kind' in outcome) {
        const what = outcome.kind === 'timeout' ? `timed out after ${config.timeoutMs} ms` : 'could not reach the server';
        failure = new OpenTokUnavailableError(`${spec.operation} ${what}`, {
          operation: spec.operation,
          reason: outcome.kind,
          cause: outcome.cause,
        });
      } else {
        const { status } = outcome;
        if (spec.expect.includes(status)) return outcome;
        if (status >= 200 && status < 300) {
          throw new OpenTokUnexpectedResponseError(
            `${spec.operation} returned HTTP ${status}; expected ${spec.expect.join(' or ')}`,
            { operation: spec.operation, status },
          );
        }
        const retryAfterMs = parseRetryAfter(outcome.retryAfter);
        failure = errorForStatus(status, spec.operation, extractServerMessage(outcome.text), retryAfterMs);
        if (!(status === 429 || status >= 500)) throw failure;
        if (retryAfterMs !== undefined) delay = Math.min(retryAfterMs, config.retry.maxDelayMs);
      }

      if (attemptNo >= maxRetries) throw failure;
      await sleep(delay, spec.signal);
    }
  }

  return { send };
}

/** Parses a success body as JSON or throws the typed unexpected-response error. */
export function parseJsonBody(result: HttpResult, operation: string): unknown {
  try {
    return JSON.parse(result.text);
  } catch (error) {
    throw new OpenTokUnexpectedResponseError(`${operation} returned HTTP ${result.status} with a body that is not JSON`, {
      operation,
      status: result.status,
      cause: error,
    });
  }
}
