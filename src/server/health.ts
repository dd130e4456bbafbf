/**
 * Liveness and readiness. `GET /health` is yoga's own check (the process answers). `GET /ready`
 * says whether this instance should get traffic: not while it is shutting down, and only when
 * the upstream API and (when configured) Redis answer. Load balancers route on /ready.
 */
import type { Plugin } from 'graphql-yoga';

export const HEALTH_PATH = '/health';
export const READY_PATH = '/ready';

export interface ReadinessCheck {
  name: string;
  /** Resolves true when healthy; false or a rejection means not ready. */
  check(): Promise<boolean>;
}

export interface Readiness {
  /** Marks the instance as shutting down: /ready answers 503 from now on. */
  drain(): void;
  readonly draining: boolean;
  report(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  addCheck(check: ReadinessCheck): void;
  plugin(): Plugin;
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout(check: () => Promise<boolean>): Promise<boolean> {
  return Promise.race([
    check().catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/** The upstream answers HTTP at all (any status: it is reachable; credentials are not probed). */
export function upstreamCheck(apiUrl: string, fetchImpl: typeof fetch = fetch): ReadinessCheck {
  // Load balancers probe often; one upstream request per second at most answers them all.
  let last: { at: number; result: Promise<boolean> } | null = null;
  const probe = async () => {
    const response = await fetchImpl(apiUrl, { method: 'HEAD', signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    await response.body?.cancel();
    return true;
  };
  return {
    name: 'upstream',
    check() {
      if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), result: probe().catch(() => false) };
      return last.result;
    },
  };
}

export function createReadiness(initial: readonly ReadinessCheck[] = []): Readiness {
  const checks = [...initial];
  let draining = false;
  const report = async () => {
    const results: Record<string, boolean> = {
      // The configuration was validated before anything started; an instance running has a valid one.
      config: true,
      ...Object.fromEntries(await Promise.all(checks.map(async (c) => [c.name, await withTimeout(() => c.check())] as const))),
    };
    if (draining) results.accepting = false;
    return { ready: !draining && Object.values(results).every(Boolean), checks: results };
  };
  return {
    drain() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    report,
    addCheck: (check) => void checks.push(check),
    plugin() {
      return {
        async onRequest({ url, endResponse, fetchAPI }) {
          if (url.pathname !== READY_PATH) return;
          const result = await report();
          endResponse(
            new fetchAPI.Response(JSON.stringify({ status: result.ready ? 'ready' : draining ? 'draining' : 'not ready', checks: result.checks }), {
              status: result.ready ? 200 : 503,
              headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
            }),
          );
        },
        onResponse({ response }) {
          // While draining, keep-alive connections are closed after their current response so
          // the load balancer's next request opens a connection to another instance.
          if (draining) response.headers.set('connection', 'close');
        },
      };
    },
  };
}
