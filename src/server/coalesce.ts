/**
 * In-flight coalescing of identical upstream reads across the concurrent requests of one
 * gateway process: while a `GET` for the same operation and arguments is on the wire, later
 * callers share its promise instead of sending their own. 50 clients asking for the same page at
 * once cost OpenTok one call, not 50.
 *
 * This is not a cache: an entry lives exactly as long as its request is in flight and is deleted
 * when it settles, so nobody is ever answered with data older than a call they overlapped with.
 * Sharing across callers is safe because authorization is decided in the schema before any
 * upstream call, and every upstream call is made with the gateway's one set of project
 * credentials: two callers allowed to make the same call would get the same answer anyway.
 *
 * It sits in the composition root (src/server/gateway.ts) around the metrics-instrumented client,
 * so the per-request DataLoaders — still created per request and never shared — call through it,
 * and upstream metrics count the calls actually made.
 */
import type { CallOptions, OpenTokClient } from '../client/types.js';
// Keys sorted, absent = undefined: `{offset, count}` and `{count, offset}` are the same call.
import { stableStringify } from './cache.js';

/** The reads that may be shared, with how many leading arguments identify the call (the rest is CallOptions). */
const READS = {
  getArchive: 1,
  listArchives: 1,
  getBroadcast: 1,
  listBroadcasts: 1,
  getStream: 2,
  listStreams: 1,
  getRender: 1,
  listRenders: 1,
  getCaptions: 1,
} as const satisfies Partial<Record<keyof OpenTokClient, number>>;

/** Methods that neither read through a single call nor change anything upstream. */
const NEUTRAL = new Set<string>(['constructor', 'toJSON', 'generateToken', 'listCallbacks', 'iterateArchives', 'iterateBroadcasts', 'iterateRenders']);

export interface CoalescingClient extends OpenTokClient {
  /** Reads currently in flight (for tests and diagnostics). */
  readonly inFlight: number;
}

/**
 * The caller's view of a shared flight: it settles with the flight, or rejects on the caller's
 * own abort without touching the flight (the others still want its answer).
 */
function forCaller<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function coalesceReads(client: OpenTokClient): CoalescingClient {
  const inFlight = new Map<string, Promise<unknown>>();
  // A new object over the client (which is frozen), as the metrics wrapper does.
  const wrapped = Object.create(client) as object;
  // Defined, not assigned: the frozen client's properties are read-only, also when inherited.
  const define = (name: string, value: unknown): void => void Object.defineProperty(wrapped, name, { value, enumerable: true });

  for (const [name, arity] of Object.entries(READS)) {
    const read = (client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
    define(name, (...args: unknown[]): Promise<unknown> => {
      const call = args[arity] as CallOptions | undefined;
      const key = `${name}(${args.slice(0, arity).map((arg) => (arg === undefined ? '' : stableStringify(arg))).join(',')})`;
      let shared = inFlight.get(key);
      if (!shared) {
        // No caller's signal goes into a shared call: one caller giving up must not abort the
        // call for the others. The client's own timeout still bounds it.
        const flight = read.apply(client, args.slice(0, arity));
        shared = flight;
        inFlight.set(key, flight);
        const done = (): void => {
          // Only this flight's entry: a write may already have replaced it with a newer one.
          if (inFlight.get(key) === flight) inFlight.delete(key);
        };
        flight.then(done, done);
      }
      return forCaller(shared, call?.signal);
    });
  }

  // Every other upstream operation is a write (start, stop, delete, layout, mute, dial, …).
  // A read that starts after a write must not join one that started before it — its answer
  // could predate the write — so a write forgets all flights when it starts and again when it
  // settles (a read that started while the write was on the wire may predate it too). Every
  // family, not only the written one: writes cross families (starting a render or a SIP call
  // publishes a stream; stopping an archive changes the session's), and writes are rare next
  // to reads, so forgetting a little more than necessary costs almost nothing.
  const names = new Set<string>();
  for (let o: object | null = client; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) names.add(name);
  }
  for (const name of names) {
    const value = (client as unknown as Record<string, unknown>)[name];
    if (typeof value !== 'function' || name in READS || NEUTRAL.has(name)) continue;
    define(name, (...args: unknown[]): unknown => {
      const result = (value as (...a: unknown[]) => unknown).apply(client, args);
      if (!(result instanceof Promise)) return result;
      inFlight.clear();
      const forget = (): void => inFlight.clear();
      result.then(forget, forget);
      return result;
    });
  }

  Object.defineProperty(wrapped, 'inFlight', { get: () => inFlight.size, enumerable: false });
  return Object.freeze(wrapped) as CoalescingClient;
}
