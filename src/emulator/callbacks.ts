/**
 * Callback delivery (CALLBACKS.md §2): one POST with one JSON event per request, 2xx means
 * delivered, anything else (status, timeout, refused connection) is retried with exponential
 * back-off (5 s doubling, capped at 15 min, abandoned after 24 h, like the Vonage callback
 * service). Events of one session are delivered in order, per target URL: a failing event
 * holds back the later events of its session, so receivers see a consistent story.
 *
 * Delivery never blocks a REST response: `emit` only queues. Retry waits run on the emulator
 * clock, so advancing the clock through the control API triggers due retries at once.
 * Signed like the platform (HS256 JWT with `payload_hash`, §10.4) when a secret is configured.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { EventSink } from './state.js';
import type { Clock, Scheduler, Timed } from './time.js';

export interface RetryPolicy {
  /** First wait after a failed attempt. */
  baseMs: number;
  /** Longest wait between attempts. */
  maxMs: number;
  /** An event still failing this long after it was emitted is dropped. */
  giveUpMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5000, maxMs: 15 * 60_000, giveUpMs: 24 * 3600_000, timeoutMs: 5000 };

/** `(group, event)` of the legacy registry (CALLBACKS.md §11) for each body `event`. */
const REGISTRY_PAIRS: Record<string, [string, string]> = {
  sessionCreated: ['session', 'created'],
  sessionDestroyed: ['session', 'destroyed'],
  connectionCreated: ['connection', 'created'],
  connectionDestroyed: ['connection', 'destroyed'],
  streamCreated: ['stream', 'created'],
  streamDestroyed: ['stream', 'destroyed'],
  archive: ['archive', 'status'],
  broadcast: ['broadcast', 'status'],
  captions: ['captions', 'status'],
  callCreated: ['sip', 'status'],
  callUpdated: ['sip', 'status'],
  callDestroyed: ['sip', 'status'],
  muteForced: ['sip', 'status'],
};

export function registryPairFor(event: string): [string, string] | undefined {
  if (event.startsWith('render')) return ['render', 'status'];
  return REGISTRY_PAIRS[event];
}

interface Pending {
  body: string;
  emittedAt: number;
  attempts: number;
}

export interface DeliveryStats {
  delivered: number;
  failedAttempts: number;
  dropped: number;
  pending: number;
}

class Queue implements Timed {
  nextAt = Infinity;
  readonly items: Pending[] = [];
  busy = false;
  waiting = false;
  /** Set by reset/close: attempts still in flight must not touch the counters. */
  dead = false;

  constructor(
    readonly key: string,
    readonly url: string,
    private readonly dispatcher: CallbackDispatcher,
  ) {}

  fire(): void {
    this.waiting = false;
    this.dispatcher.pump(this);
  }
}

export class CallbackDispatcher implements EventSink {
  private readonly queues = new Map<string, Queue>();
  private readonly inflight = new Set<AbortController>();
  private closed = false;
  readonly stats: DeliveryStats = { delivered: 0, failedAttempts: 0, dropped: 0, pending: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    /** The project-wide callback URL (null: none), read at emit time. */
    private readonly target: () => string | null,
    /** Legacy registry lookup: URL registered for `(group, event)`. */
    private readonly registry: (group: string, event: string) => string | undefined,
    readonly retry: RetryPolicy,
    private readonly signing: { secret: string; apiKey: string; applicationId?: string } | null,
  ) {}

  emit(key: string, payload: Record<string, unknown>, statusCallbackUrl?: string): void {
    if (this.closed) return;
    const urls: string[] = [];
    const main = this.target();
    if (main) urls.push(main);
    const pair = typeof payload.event === 'string' ? registryPairFor(payload.event) : undefined;
    const registered = pair ? this.registry(pair[0], pair[1]) : undefined;
    if (registered !== undefined && !urls.includes(registered) && isHttpUrl(registered)) urls.push(registered);
    if (statusCallbackUrl !== undefined && !urls.includes(statusCallbackUrl) && isHttpUrl(statusCallbackUrl)) urls.push(statusCallbackUrl);
    if (urls.length === 0) return;
    const body = JSON.stringify(payload);
    const now = this.clock.now();
    for (const url of urls) {
      const qKey = `${url}\n${key}`;
      let queue = this.queues.get(qKey);
      if (queue === undefined) {
        queue = new Queue(qKey, url, this);
        this.queues.set(qKey, queue);
      }
      queue.items.push({ body, emittedAt: now, attempts: 0 });
      this.stats.pending++;
      // Start on the next tick: the REST response that caused the event goes out first.
      if (!queue.busy && !queue.waiting) {
        queue.busy = true;
        setImmediate(() => {
          queue.busy = false;
          this.pump(queue);
        });
      }
    }
  }

  /** Delivers the queue's events one after another until it is empty or an attempt fails. */
  pump(queue: Queue): void {
    if (this.closed || queue.dead || queue.busy || queue.waiting) return;
    const head = queue.items[0];
    if (head === undefined) {
      // Drained: forget the queue so finished sessions do not accumulate.
      this.queues.delete(queue.key);
      return;
    }
    queue.busy = true;
    void this.attempt(queue.url, head.body).then((ok) => {
      queue.busy = false;
      if (this.closed || queue.dead) return;
      if (ok) {
        queue.items.shift();
        this.stats.delivered++;
        this.stats.pending--;
        this.pump(queue);
        return;
      }
      this.stats.failedAttempts++;
      head.attempts++;
      const now = this.clock.now();
      if (now - head.emittedAt >= this.retry.giveUpMs) {
        queue.items.shift();
        this.stats.dropped++;
        this.stats.pending--;
        this.pump(queue);
        return;
      }
      const wait = Math.min(this.retry.baseMs * 2 ** (head.attempts - 1), this.retry.maxMs);
      queue.waiting = true;
      this.scheduler.schedule(queue, now + wait);
    });
  }

  private async attempt(url: string, body: string): Promise<boolean> {
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.retry.timeoutMs);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'OpenTok-Emulator-Callbacks/1' };
      if (this.signing !== null) headers.authorization = `Bearer ${this.sign(body)}`;
      const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'manual' });
      // Drain the body so the keep-alive socket is reusable.
      await response.arrayBuffer().catch(() => undefined);
      return response.status >= 200 && response.status < 300;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  /** The Vonage signed-callback JWT (CALLBACKS.md §10.4). */
  private sign(body: string): string {
    const s = this.signing!;
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const claims: Record<string, unknown> = {
      iat: Math.floor(this.clock.now() / 1000),
      jti: randomUUID(),
      iss: 'Vonage',
      payload_hash: createHash('sha256').update(body).digest('hex'),
      api_key: s.apiKey,
    };
    if (s.applicationId !== undefined) claims.application_id = s.applicationId;
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${createHmac('sha256', s.secret).update(input).digest('base64url')}`;
  }

  /** Drops every queued event (control API reset). */
  clear(): void {
    for (const queue of this.queues.values()) {
      queue.dead = true;
      this.scheduler.schedule(queue, Infinity);
    }
    this.queues.clear();
    this.stats.pending = 0;
  }

  close(): void {
    this.closed = true;
    this.clear();
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
  }
}

function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
