/**
 * Test helpers for the emulator: raw REST calls with a real project JWT, the control API,
 * a local callback receiver, and a promise wrapper for the callback-style `opentok` SDK.
 * Everything goes over real HTTP.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

export { startEmulator };
export type { RunningEmulator };

/** A project JWT as the Node SDK mints it (HS256, `ist` in the payload, 5 min). */
export function projectJwt(
  emu: { apiKey: string; apiSecret: string },
  overrides: { header?: Record<string, unknown>; payload?: Record<string, unknown>; secret?: string } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'HS256', typ: 'JWT', ...overrides.header };
  const payload = { iss: emu.apiKey, ist: 'project', iat: now, exp: now + 300, ...overrides.payload };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', overrides.secret ?? emu.apiSecret).update(input).digest('base64url')}`;
}

export interface RestResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/**
 * One REST call. `path` may start with `{P}` for `/v2/project/{apiKey}`. Objects are sent as
 * JSON; pass a string body to send it verbatim. Auth is a fresh project JWT unless overridden.
 */
export async function rest<T = any>(
  emu: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RestResponse<T>> {
  const url = emu.url + path.replace('{P}', `/v2/project/${emu.apiKey}`);
  const h: Record<string, string> = { accept: 'application/json', 'x-opentok-auth': projectJwt(emu), ...headers };
  for (const [k, v] of Object.entries(h)) if (v === '') delete h[k];
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method, headers: h, body: payload });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/** The control API, typed loosely: tests assert on the shapes. */
export function control(emu: RunningEmulator) {
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<RestResponse<T>> => {
    const response = await fetch(`${emu.url}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: (text === '' ? undefined : JSON.parse(text)) as T };
  };
  const ok = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`control ${method} ${path} → ${r.status} ${r.text}`);
    return r.json;
  };
  const enc = encodeURIComponent;
  return {
    call,
    connect: (sessionId: string, token: string, data?: string) =>
      ok<{ connectionId: string; sessionId: string; role: string; data: string; createdAt: number }>(
        'POST', `/sessions/${enc(sessionId)}/connections`, data === undefined ? { token } : { token, data }),
    publish: (sessionId: string, connectionId: string, body: Record<string, unknown> = {}) =>
      ok<{ streamId: string; [k: string]: unknown }>('POST', `/sessions/${enc(sessionId)}/connections/${connectionId}/streams`, body),
    unpublish: (sessionId: string, connectionId: string, streamId: string) =>
      ok('DELETE', `/sessions/${enc(sessionId)}/connections/${connectionId}/streams/${streamId}`),
    disconnect: (sessionId: string, connectionId: string) => ok('DELETE', `/sessions/${enc(sessionId)}/connections/${connectionId}`),
    session: (sessionId: string) => ok<any>('GET', `/sessions/${enc(sessionId)}`),
    requests: () => ok<{ total: number; byOperation: Record<string, number> }>('GET', '/requests'),
    reset: () => ok('POST', '/reset'),
    fault: (spec: Record<string, unknown>) => ok<any>('POST', '/faults', spec),
    clearFaults: () => ok('DELETE', '/faults'),
    advance: (advanceMs: number) => ok<{ now: number; offsetMs: number }>('POST', '/clock', { advanceMs }),
    settings: (patch: Record<string, unknown>) => ok<any>('PUT', '/settings', patch),
    callbackStats: () => ok<{ delivered: number; failedAttempts: number; dropped: number; pending: number }>('GET', '/callbacks'),
  };
}

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
  raw: string;
}

/** A local webhook receiver; `failNext(n)` makes the next n deliveries answer 500. */
export async function callbackReceiver() {
  const received: ReceivedCallback[] = [];
  let failures = 0;
  let failedAttempts = 0;
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        failedAttempts++;
        res.writeHead(500).end();
        return;
      }
      received.push({ headers: req.headers, body: JSON.parse(raw), raw });
      res.writeHead(200).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return {
    url,
    received,
    get failedAttempts() {
      return failedAttempts;
    },
    failNext(n: number) {
      failures = n;
    },
    /** Resolves once `predicate` holds over what has been received (polls on every delivery). */
    async waitFor(predicate: (r: ReceivedCallback[]) => boolean, timeoutMs = 5000): Promise<ReceivedCallback[]> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`callbacks not received in time; got ${received.map((r) => r.body.event).join(', ')}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 50));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Promise wrapper for the `opentok` SDK's `(err, result, extra)` callbacks. */
export function sdk<T = any>(fn: (cb: (err: unknown, result?: T, extra?: any) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as T))));
}

/** Same, keeping the extra callback argument (list calls pass the total count there). */
export function sdk2<T = any, X = any>(fn: (cb: (err: unknown, result?: T, extra?: X) => void) => void): Promise<[T, X]> {
  return new Promise((resolve, reject) => fn((err, result, extra) => (err ? reject(err) : resolve([result as T, extra as X]))));
}
