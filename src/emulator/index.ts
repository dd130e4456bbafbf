/**
 * The embedded OpenTok emulator: an OpenTok-compatible REST server with simulated clients,
 * for tests, demos and machines without an OpenTok account. See docs/emulator.md.
 *
 * Imports nothing from the gateway except the wire-format helpers of `src/client`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenVerificationKeys } from '../client/tokens.js';
import { ProjectAuth, loadPublicKey } from './auth.js';
import { CallbackDispatcher, DEFAULT_RETRY, type RetryPolicy } from './callbacks.js';
import { registerControl, type Counters } from './control.js';
import { Faults } from './faults.js';
import { HttpError, parseForm, parseJsonObject, readBody, sendError } from './http.js';
import { registerRest, type Call, type Handler } from './rest.js';
import { Router } from './router.js';
import { EmulatorState, type Settings } from './state.js';
import { Clock, Scheduler } from './time.js';

export interface EmulatorOptions {
  apiKey?: string;        // default: random 8-digit numeric string
  apiSecret?: string;     // default: random 40-hex string
  vonage?: { applicationId: string; publicKey: string }; // optional RS256 project
  callbackUrl?: string | null;   // where callbacks are POSTed
  host?: string;          // default 127.0.0.1
  port?: number;          // default 0 (random free port)
  stoppedToAvailableMs?: number; // default ~1000 (real clock)
  /** Signs callbacks like the platform (HS256 JWT in `Authorization`) when set. */
  callbackSecret?: string;
  /** Callback retry policy; defaults to the platform's (5 s doubling, 15 min cap, 24 h). */
  callbackRetry?: Partial<RetryPolicy>;
}

export interface RunningEmulator {
  readonly url: string;      // e.g. http://127.0.0.1:43121 (no trailing slash)
  readonly apiKey: string;
  readonly apiSecret: string;
  setCallbackUrl(url: string | null): void;
  close(): Promise<void>;
}

const DEFAULT_STOPPED_TO_AVAILABLE_MS = 1000;

/**
 * Operations whose errors are XML for clients that do not ask for JSON: session create (like its
 * success answer) and signals (a real-server recording answered `Accept: *\/*` with XML).
 */
const XML_NEGOTIATED_OPS = new Set(['session.create', 'signal.session', 'signal.connection']);

/** One request as handlers see it; a class so the hot read paths allocate no closures. */
class RequestCall implements Call {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: string[],
    readonly query: string,
    readonly project: string,
  ) {}

  async json(): Promise<ReturnType<typeof parseJsonObject>> {
    return parseJsonObject(await readBody(this.req));
  }

  async form(): Promise<URLSearchParams> {
    return parseForm(await readBody(this.req));
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const apiKey = options.apiKey ?? String(randomInt(10_000_000, 100_000_000));
  const apiSecret = options.apiSecret ?? randomBytes(20).toString('hex');
  const host = options.host ?? '127.0.0.1';
  const publicKey = options.vonage ? loadPublicKey(options.vonage.publicKey) : undefined;
  const applicationId = options.vonage?.applicationId;

  const tokenKeys: TokenVerificationKeys = { apiKey, apiSecret, applicationId, publicKey };
  const auth = new ProjectAuth({ apiKey, apiSecret, applicationId, publicKey });
  const clock = new Clock();
  const scheduler = new Scheduler(clock);
  const initialSettings: Settings = {
    stoppedToAvailableMs: options.stoppedToAvailableMs ?? DEFAULT_STOPPED_TO_AVAILABLE_MS,
    archiveOutcome: 'available',
  };
  let callbackUrl: string | null = options.callbackUrl ?? null;
  let url = '';

  const initialRetry: RetryPolicy = { ...DEFAULT_RETRY, ...options.callbackRetry };
  const dispatcher: CallbackDispatcher = new CallbackDispatcher(
    clock,
    scheduler,
    () => callbackUrl,
    // Called only once events flow, after emulatorState below exists.
    (group: string, event: string): string | undefined => emulatorState.registryUrl(group, event),
    { ...initialRetry },
    options.callbackSecret ? { secret: options.callbackSecret, apiKey, applicationId } : null,
  );
  const emulatorState: EmulatorState = new EmulatorState(apiKey, clock, scheduler, dispatcher, { ...initialSettings }, () => url);

  const counters: Counters = { total: 0, byOperation: new Map() };
  const faults = new Faults();

  const rest = new Router<Handler>();
  registerRest(rest, { state: emulatorState, tokenKeys });
  const control = new Router<Handler>();
  registerControl(control, {
    state: () => emulatorState,
    tokenKeys,
    counters,
    faults,
    clock,
    scheduler,
    dispatcher: () => dispatcher,
    callbackUrl: () => callbackUrl,
    setCallbackUrl: (u) => {
      callbackUrl = u;
    },
    reset: () => {
      scheduler.clear();
      dispatcher.clear();
      clock.reset();
      faults.clear();
      counters.total = 0;
      counters.byOperation.clear();
      emulatorState.reset(initialSettings);
      Object.assign(dispatcher.retry, initialRetry);
    },
    info: () => ({ apiKey, applicationId: applicationId ?? null, url, now: clock.now(), callbackUrl }),
  });

  const count = (op: string): void => {
    counters.total++;
    counters.byOperation.set(op, (counters.byOperation.get(op) ?? 0) + 1);
  };

  const call = (req: IncomingMessage, res: ServerResponse, params: string[], query: string, project: string): Call =>
    new RequestCall(req, res, params, query, project);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q + 1);
    const method = req.method ?? 'GET';

    if (path === '/_emulator' || path.startsWith('/_emulator/')) {
      const found = control.find(method, path);
      if (found === null) throw new HttpError(404, `No control route ${method} ${path}`);
      if ('allow' in found) throw new HttpError(405, 'Method not allowed', undefined, 405, { allow: found.allow.join(', ') });
      scheduler.runDue();
      await found.route.handler(call(req, res, found.params, query, apiKey));
      return;
    }

    const found = rest.find(method, path);
    if (found === null) {
      count('unknown');
      throw new HttpError(404, 'Not found');
    }
    if ('allow' in found) {
      count('unknown');
      throw new HttpError(405, 'Method not allowed', undefined, 405, { allow: found.allow.join(', ') });
    }
    const { route, params } = found;
    count(route.op);
    if (XML_NEGOTIATED_OPS.has(route.op)) negotiatedErrors.add(req);

    if (faults.size > 0) {
      const fault = faults.take(route.op);
      if (fault !== null) {
        // Unref'd: a slow fault must not keep a closing process alive (open sockets keep it alive otherwise).
        if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs).unref());
        if (fault.drop) {
          req.socket.destroy();
          return;
        }
        if (fault.status !== null) {
          const headers: Record<string, string> = {};
          if (fault.retryAfterSeconds !== null) headers['retry-after'] = String(fault.retryAfterSeconds);
          throw new HttpError(fault.status, fault.message, undefined, fault.status, headers);
        }
      }
    }

    // `/v2/project/{id}/…` routes carry the project as their first parameter.
    const project = auth.authenticate(req.headers, route.segments[0] === 'v2' ? params[0]! : null);
    scheduler.runDue();
    await route.handler(call(req, res, params, query, project));
  }

  const negotiatedErrors = new WeakSet<IncomingMessage>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const negotiated = negotiatedErrors.has(req);
      if (error instanceof HttpError) {
        sendError(req, res, error, negotiated);
        return;
      }
      // Never crash on a request: report and answer 500.
      console.error('[opentok-emulator] internal error', error);
      sendError(req, res, new HttpError(500, 'Internal emulator error'), negotiated);
    });
  });
  // Refuse oversized headers and broken HTTP without taking the process down.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${shownHost}:${address.port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    apiKey,
    apiSecret,
    setCallbackUrl(u: string | null) {
      callbackUrl = u;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        scheduler.close();
        dispatcher.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
