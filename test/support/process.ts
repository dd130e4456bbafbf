/**
 * Gateway processes for tests: the `npm start` entry (`tsx src/server/main.ts`) as a child
 * process on a random port, with the banner parsed for its URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** SIGKILL (a crash) or SIGTERM (a graceful stop). */
  kill(signal?: NodeJS.Signals): void;
}

/** The environment without credentials or settings the machine may have, plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const ours =
    /^(OPENTOK_|VONAGE_|AUTH_|GATEWAY_JWT_|RATE_LIMIT_|REDIS_|MAX_|TRUST_PROXY|NODE_ENV$|CORS_ORIGINS$|PERSISTED_OPERATIONS_PATH$|INTROSPECTION$|PORT$|HOST$|LOG_LEVEL$)/;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!ours.test(key)) env[key] = value;
  return { ...env, ...extra };
}

export interface EntryProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  output(): { stdout: string; stderr: string };
  /** Waits until stdout matches, and returns the match; throws with both outputs on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

const spawned: ChildProcess[] = [];

/**
 * Runs the `npm start` entry (`tsx src/server/main.ts`) with exactly `env` over a clean
 * environment. Call `killSpawnedEntries()` in `afterEach` so no test leaves one behind.
 */
export function spawnEntry(env: Record<string, string>, args: string[] = []): EntryProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(stdout);
      if (match) return match;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${pattern} (exit ${child.exitCode})\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  };
  return { child, exited, output: () => ({ stdout, stderr }), waitFor };
}

/** Kills every entry process `spawnEntry` started that is still running. */
export function killSpawnedEntries(): void {
  for (const child of spawned.splice(0)) if (child.exitCode === null && child.signalCode === null && child.pid) child.kill('SIGKILL');
}

/** A gateway process that has started listening, with its URL. */
export async function startGatewayProcess(env: Record<string, string>, args: string[] = [], timeoutMs = 30_000): Promise<GatewayProcess> {
  const entry = spawnEntry({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, args);
  let url: string;
  try {
    url = (await entry.waitFor(/listening on (http:\/\/\S+)/, timeoutMs))[1]!;
  } catch (error) {
    entry.child.kill('SIGKILL');
    throw new Error(`gateway process did not start: ${(error as Error).message}`);
  }
  return {
    child: entry.child,
    url: url.replace('localhost', '127.0.0.1'),
    stdout: () => entry.output().stdout,
    stderr: () => entry.output().stderr,
    exited: entry.exited,
    kill: (signal = 'SIGKILL') => void entry.child.kill(signal),
  };
}
