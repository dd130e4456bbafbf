/**
 * Closed-loop HTTP load: C connections each sending the next request as soon as
 * the previous answer arrives, for a fixed time. wrk (Debian's `wrk`) is used
 * when installed: it is C, so it leaves most of its core to the emulator it
 * shares, and it records latency in microseconds. autocannon is the fallback
 * (always installed with the repo); its histogram keeps whole milliseconds, so
 * sub-millisecond latencies read as 0 or 1 — the table says which tool ran.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE, ROOT, spawnProc } from './proc.js';
import { spread, type Spread } from './stats.js';

export interface LoadTarget {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadRun {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
}

export interface LoadSeries {
  tool: LoadTool;
  connections: number;
  durationSec: number;
  rps: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  requests: number;
  errors: number;
}

export type LoadTool = 'wrk' | 'autocannon';

export interface LoadOptions {
  connections: number;
  durationSec: number;
  /** Core the load generator is pinned to. */
  core?: number;
}

export interface SeriesOptions extends LoadOptions {
  runs: number;
  warmupSec: number;
}

function detectTool(): LoadTool {
  if (process.env.BENCH_LOAD_TOOL === 'autocannon') return 'autocannon';
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (error) {
    // wrk --version exits 1 after printing its banner; only ENOENT means it is missing.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'autocannon' : 'wrk';
  }
}

export const LOAD_TOOL: LoadTool = detectTool();

// A Lua long bracket with enough `=` that no body can close it early.
function luaString(value: string): string {
  let level = '=';
  while (value.includes(`]${level}]`)) level += '=';
  return `[${level}[${value}]${level}]`;
}

function wrkScript(target: LoadTarget): string {
  const lines = [`wrk.method = "${target.method ?? 'GET'}"`];
  if (target.body !== undefined) lines.push(`wrk.body = ${luaString(target.body)}`);
  for (const [name, value] of Object.entries(target.headers ?? {})) {
    // Spaces matter: `headers[[=[` would open a long string, not an index.
    lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  }
  // wrk's own summary is text; done() prints one JSON line we can parse exactly.
  lines.push(`
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end`);
  return lines.join('\n');
}

async function collect(proc: ReturnType<typeof spawnProc>): Promise<string> {
  let out = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${proc.name} exited ${code}:\n${proc.output()}`);
  return out;
}

async function runWrk(target: LoadTarget, options: LoadOptions): Promise<LoadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const script = join(dir, 'load.lua');
    writeFileSync(script, wrkScript(target));
    const proc = spawnProc(
      'wrk',
      'wrk',
      ['-t1', `-c${options.connections}`, `-d${options.durationSec}s`, '--timeout', '5s', '-s', script, target.url],
      options.core === undefined ? {} : { core: options.core },
    );
    const out = await collect(proc);
    const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
    if (line === undefined) throw new Error(`wrk printed no summary:\n${out}`);
    const r = JSON.parse(line.slice('WRKJSON '.length)) as {
      requests: number;
      durationUs: number;
      p50Us: number;
      p99Us: number;
      errors: number;
    };
    return {
      rps: r.requests / (r.durationUs / 1e6),
      p50Ms: r.p50Us / 1000,
      p99Ms: r.p99Us / 1000,
      requests: r.requests,
      errors: r.errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAutocannon(target: LoadTarget, options: LoadOptions): Promise<LoadRun> {
  const args = [
    join(ROOT, 'node_modules/autocannon/autocannon.js'),
    '--json',
    '-c',
    String(options.connections),
    '-d',
    String(options.durationSec),
    '-m',
    target.method ?? 'GET',
  ];
  for (const [name, value] of Object.entries(target.headers ?? {})) args.push('-H', `${name}=${value}`);
  if (target.body !== undefined) args.push('-b', target.body);
  args.push(target.url);
  const proc = spawnProc('autocannon', NODE, args, options.core === undefined ? {} : { core: options.core });
  const out = await collect(proc);
  const r = JSON.parse(out.slice(out.indexOf('{'))) as {
    requests: { total: number };
    duration: number;
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    rps: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.non2xx + r.errors + r.timeouts,
  };
}

export function loadOnce(target: LoadTarget, options: LoadOptions): Promise<LoadRun> {
  return LOAD_TOOL === 'wrk' ? runWrk(target, options) : runAutocannon(target, options);
}

/**
 * One warm-up run (discarded: JIT, connection pools, caches), then `runs` timed
 * runs; every figure is the median of the runs with its min–max. `target` is a
 * function so each run can carry fresh credentials (project JWTs live 5 min).
 */
export async function loadSeries(target: () => LoadTarget, options: SeriesOptions): Promise<LoadSeries> {
  if (options.warmupSec > 0) await loadOnce(target(), { ...options, durationSec: options.warmupSec });
  const runs: LoadRun[] = [];
  for (let i = 0; i < options.runs; i++) runs.push(await loadOnce(target(), options));
  return {
    tool: LOAD_TOOL,
    connections: options.connections,
    durationSec: options.durationSec,
    rps: spread(runs.map((r) => r.rps)),
    p50Ms: spread(runs.map((r) => r.p50Ms)),
    p99Ms: spread(runs.map((r) => r.p99Ms)),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}
