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

/** The environment without credentials or settings the machine may have. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(OPENTOK_|VONAGE_|AUTH_|REDIS_|PORT$|HOST$|LOG_LEVEL$)/.test(key)) env[key] = value;
  return { ...env, ...extra };
}

export async function startGatewayProcess(env: Record<string, string>, args: string[] = [], timeoutMs = 30_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], {
    cwd: ROOT,
    env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway process did not start (exit ${child.exitCode})\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: url.replace('localhost', '127.0.0.1'), stdout: () => stdout, stderr: () => stderr, exited, kill: (signal = 'SIGKILL') => void child.kill(signal) };
}
