/**
 * Child processes for the bench: each service runs in its own process, pinned
 * to a core with taskset, so the gateway never shares a core with the emulator
 * or the load generator whose work it is measured against.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM to the process group, SIGKILL after a grace period. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Core to pin to (taskset -c). Omit to run unpinned. */
  core?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Echo the child's output to ours (debugging: BENCH_VERBOSE=1). */
  echo?: boolean;
}

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export function tasksetAvailable(): boolean {
  return hasTaskset;
}

export function spawnProc(name: string, command: string, args: string[], options: SpawnOptions = {}): Proc {
  const pinned = options.core !== undefined && hasTaskset;
  const file = pinned ? 'taskset' : command;
  const argv = pinned ? ['-c', String(options.core), command, ...args] : args;
  // detached: the child leads its own process group, so stop() also reaches
  // grandchildren (npm → sh → node) without touching anything we did not start.
  const child = spawn(file, argv, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: failed to spawn ${command}`);
  const pid = child.pid;
  let tail: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (options.echo || process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${text}`);
    tail.push(text);
    if (tail.length > 200) tail = tail.slice(-100);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    name,
    child,
    pid,
    output: () => tail.join('').split('\n').slice(-40).join('\n'),
    exited,
    async stop(graceMs = 5000) {
      if (done) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      // Unref'd: a pending grace timer must not keep the bench alive once done.
      const timer = sleep(graceMs, undefined, { ref: false }).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timer])) === 'timeout' && !done) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exited;
      }
    },
  };
}

/** Polls `check` until it returns true; throws with the process's output on timeout or exit. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; proc?: Proc } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let exitCode: number | null | undefined;
  void options.proc?.exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${what}: process exited (${exitCode}) before it was ready:\n${options.proc?.output() ?? ''}`);
    }
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not ready after ${options.timeoutMs ?? 30_000} ms\n${options.proc?.output() ?? ''}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** A free loopback port (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Memory {
  /** Peak resident set (VmHWM), kB. */
  peakKb: number;
  /** Current resident set (VmRSS), kB. */
  rssKb: number;
}

/** Reads /proc/PID/status; undefined where /proc is missing or the process is gone. */
export function memoryOf(pid: number): Memory | undefined {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  const status = readFileSync(file, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

/** The node binary running us, so children use the same Node version. */
export const NODE = process.execPath;

/** CPU time in seconds, from /proc: the whole machine's busy time and ours (this process + reaped children). */
export interface CpuSnapshot {
  machineBusy: number;
  machineTotal: number;
  ours: number;
}

const HZ = 100; // USER_HZ: the unit of /proc/stat and /proc/PID/stat on Linux

export function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const busy = user + nice + system + irq + softirq + steal;
    const self = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): utime is 14th overall.
    const rest = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    const ours = (rest[11] ?? 0) + (rest[12] ?? 0) + (rest[13] ?? 0) + (rest[14] ?? 0);
    return { machineBusy: busy / HZ, machineTotal: (busy + idle + iowait) / HZ, ours: ours / HZ };
  } catch {
    return undefined;
  }
}
