/**
 * Emulator throughput: requests/s of `GET archive` and `list archives (count=50)` on one core.
 *
 *   npx tsx bench/emulator.ts [--runs 5] [--duration 5] [--connections 50]
 *
 * The emulator runs in a child process pinned to core 0 (`taskset -c 0`); this process pins
 * itself to core 1 and drives the load with autocannon, so the load generator never competes
 * with the emulator for its core. Each figure is the median of several runs after a warm-up.
 * The table also shows how busy the emulator's core was (from /proc): below ~100 % the figure
 * is a lower bound set by the load generator, not by the emulator.
 * Prints a markdown table. Not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTokenGenerator } from '../src/client/tokens.js';
import { startEmulator } from '../src/emulator/index.js';

/** The part of autocannon's result we read (the package ships no type declarations). */
interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<LoadResult>;

const API_KEY = '4815162342';
const API_SECRET = 'b'.repeat(40);

// Child mode: just the emulator, printing its URL.
if (process.argv[2] === '--child') {
  const emu = await startEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, port: 0 });
  process.stdout.write(`URL ${emu.url}\n`);
  const stop = (): void => void emu.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  await main();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      archives: { type: 'string', default: '200' },
    },
  });
  const runs = Number(values.runs);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);

  const pinned = availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
  if (pinned) spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const self = fileURLToPath(import.meta.url);
  // node itself (not the tsx CLI, which forks another process) so /proc/<pid> is the emulator.
  const nodeArgs = ['--import', 'tsx', self, '--child'];
  const command = pinned ? 'taskset' : process.execPath;
  const args = pinned ? ['-c', '0', process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) });
  try {
    const url = await waitForUrl(child);
    const seeded = await seed(url, Number(values.archives));
    const jwt = projectJwt();
    const headers = { 'x-opentok-auth': jwt, accept: 'application/json' };
    const targets: Array<[string, string]> = [
      ['GET archive', `${url}/v2/project/${API_KEY}/archive/${seeded.archiveId}`],
      ['list archives (count=50)', `${url}/v2/project/${API_KEY}/archive?offset=0&count=50`],
    ];
    const rows: string[] = [];
    for (const [name, target] of targets) {
      await load(target, headers, connections, warmup);
      const results: LoadResult[] = [];
      const busy: number[] = [];
      for (let i = 0; i < runs; i++) {
        const cpu0 = cpuSeconds(child.pid!);
        const t0 = performance.now();
        results.push(await load(target, headers, connections, duration));
        busy.push((cpuSeconds(child.pid!) - cpu0) / ((performance.now() - t0) / 1000));
      }
      const bad = results.reduce((n, r) => n + r.non2xx + r.errors, 0);
      if (bad > 0) throw new Error(`${name}: ${bad} failed requests`);
      const rps = median(results.map((r) => r.requests.average));
      const p50 = median(results.map((r) => r.latency.p50));
      const p99 = median(results.map((r) => r.latency.p99));
      const spread = `${Math.round(Math.min(...results.map((r) => r.requests.average)))}–${Math.round(Math.max(...results.map((r) => r.requests.average)))}`;
      const cpu = Number.isNaN(busy[0]!) ? 'n/a' : `${Math.round(median(busy) * 100)} %`;
      rows.push(`| ${name} | ${Math.round(rps)} | ${spread} | ${p50} | ${p99} | ${cpu} |`);
    }
    console.log(`\nEmulator throughput — ${pinned ? 'emulator pinned to core 0, load from core 1' : 'NOT pinned (fewer than 2 cores or no taskset)'}; ` +
      `${connections} connections, ${runs} runs × ${duration} s after a ${warmup} s warm-up, median; ${values.archives} archives stored; Node ${process.version}\n`);
    console.log('| endpoint | requests/s (median) | range over runs | p50 latency (ms) | p99 latency (ms) | emulator core busy |');
    console.log('|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    child.kill('SIGTERM');
  }
}

/** CPU seconds (user + system) a process has used, from /proc; NaN where /proc is missing. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function load(url: string, headers: Record<string, string>, connections: number, duration: number): Promise<LoadResult> {
  return autocannon({ url, headers, connections, duration, pipelining: 1 });
}

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = /URL (\S+)/.exec(buffer);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
  });
}

function projectJwt(): string {
  // One token for the whole bench, as a gateway caching its project JWT would send.
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: API_KEY, ist: 'project', iat: now, exp: now + 300 })}`;
  return `${input}.${createHmac('sha256', API_SECRET).update(input).digest('base64url')}`;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}


/** A routed session with a publisher, and `count` archives: all but the newest available. */
async function seed(url: string, count: number): Promise<{ archiveId: string }> {
  const call = async (method: string, path: string, body?: unknown, form = false): Promise<any> => {
    const response = await fetch(url + path, {
      method,
      headers: {
        'x-opentok-auth': projectJwt(),
        accept: 'application/json',
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      },
      body: body === undefined ? undefined : form ? String(body) : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`seed ${method} ${path} → ${response.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  const sessionId: string = (await call('POST', '/session/create', 'p2p.preference=disabled', true))[0].session_id;
  const token = createTokenGenerator({ apiKey: API_KEY, apiSecret: API_SECRET })(sessionId, { role: 'publisher' });
  const conn = await call('POST', `/_emulator/sessions/${sessionId}/connections`, { token });
  await call('POST', `/_emulator/sessions/${sessionId}/connections/${conn.connectionId}/streams`, { name: 'cam' });
  let archiveId = '';
  for (let i = 0; i < count; i++) {
    const archive = await call('POST', `/v2/project/${API_KEY}/archive`, { sessionId, name: `bench-${i}` });
    archiveId = archive.id;
    if (i < count - 1) await call('POST', `/v2/project/${API_KEY}/archive/${archive.id}/stop`);
  }
  // Walk every stopped archive on to `available` without waiting.
  await call('POST', '/_emulator/clock', { advanceMs: 5000 });
  return { archiveId };
}
