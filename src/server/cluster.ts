/**
 * `npm start -- --workers N`: N gateway processes on one host sharing one port (node:cluster).
 * Workers keep no state of their own, so they need REDIS_URL: without it a callback received
 * by one worker would never reach subscribers on another, and a cache invalidated in one would
 * stay stale in the others.
 */
import cluster from 'node:cluster';
import type { Logger } from './log.js';

/** The worker count asked for on the command line (`--workers N` or `--workers=N`); 1 when absent. */
export function workersFromArgs(argv: readonly string[]): number | { error: string } {
  const index = argv.findIndex((a) => a === '--workers' || a.startsWith('--workers='));
  if (index < 0) return 1;
  const raw = argv[index]!.includes('=') ? argv[index]!.slice('--workers='.length) : argv[index + 1];
  const n = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || n < 1 || n > 256) return { error: `--workers needs a whole number from 1 to 256; got ${JSON.stringify(raw ?? '')}` };
  return n;
}

/** Why this configuration cannot run as several workers, or null when it can. */
export function clusterProblem(config: { upstream: { kind: string }; security: { redisUrl: string | null } }): string | null {
  if (config.security.redisUrl === null) return '--workers needs REDIS_URL: workers share events, callback de-duplication and the response cache through Redis';
  if (config.upstream.kind === 'emulator') {
    return '--workers cannot share an embedded emulator (it lives in one process): run `npm run emulator` and point OPENTOK_API_KEY/OPENTOK_API_SECRET/OPENTOK_API_URL at it';
  }
  return null;
}

export const isClusterWorker = (): boolean => cluster.isWorker;

/**
 * Runs the primary: forks `workers` copies of this program, replaces a worker that dies, and on
 * SIGTERM/SIGINT passes SIGTERM to every worker (each shuts down gracefully) and exits when all
 * are gone, or after `forceAfterMs`.
 */
export function runPrimary(workers: number, log: Logger, forceAfterMs: number): void {
  let stopping = false;
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A worker that fails before any has listened has a start-up problem; restarting repeats it.
    if (listening === 0) {
      log.error('a worker failed to start; stopping', { pid: worker.process.pid, code, signal });
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = code ?? 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code ?? 1);
      return;
    }
    log.warn('worker exited; starting a replacement', { pid: worker.process.pid, code, signal });
    cluster.fork();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  log.info('cluster primary started', { workers });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      log.info(`${sig}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      setTimeout(() => process.exit(1), forceAfterMs).unref();
    });
  }
}
