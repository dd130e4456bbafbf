/**
 * Client-token throughput: our generator (JWT and T1) beside the official `opentok` package's
 * `generateToken` in the same process, plus the cost of the project REST JWT with and without
 * reuse. Prints a markdown table. Run with `npx tsx bench/tokens.ts` (never part of `npm test`).
 *
 * Method: every contender is warmed up, then measured in interleaved rounds of a fixed time
 * slice so that CPU frequency drift and GC hit all of them alike; the table shows the median
 * rate over the rounds and the min–max spread.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createProjectAuth } from '../src/client/auth.js';
import { encodeSessionId } from '../src/client/session-id.js';
import { createTokenGenerator } from '../src/client/tokens.js';

const require = createRequire(import.meta.url);
const OpenTok = require('opentok') as new (apiKey: string, apiSecret: string) => {
  generateToken(sessionId: string, options?: Record<string, unknown>, t1?: boolean): string;
};

const API_KEY = '123456';
const API_SECRET = '0123456789abcdef0123456789abcdef01234567';
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const SLICE_MS = Number(process.env.SLICE_MS ?? 250);

const sessionId = encodeSessionId({ projectId: API_KEY, location: '10.1.2.3', createdAt: new Date('2026-12-04T20:00:00Z') });
const ours = createTokenGenerator({ apiKey: API_KEY, apiSecret: API_SECRET });
const official = new OpenTok(API_KEY, API_SECRET);

let sink = 0;
/** Calls `fn` in batches until `ms` have passed; returns calls per second. */
function rate(fn: () => string, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 200; i += 1) sink += fn().length;
    calls += 200;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (calls / elapsed) * 1000;
}

async function asyncRate(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 50; i += 1) await fn();
    calls += 50;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (calls / elapsed) * 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const contenders: Record<string, () => string> = {
  'ours JWT': () => ours(sessionId),
  'ours T1': () => ours(sessionId, { tokenType: 'T1' }),
  'official JWT': () => official.generateToken(sessionId, {}),
  'official T1': () => official.generateToken(sessionId, {}, true),
};

for (const fn of Object.values(contenders)) rate(fn, 300);
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, fn] of Object.entries(contenders)) samples[name]!.push(rate(fn, SLICE_MS));
}

const reused = createProjectAuth({ apiKey: API_KEY, apiSecret: API_SECRET });
const fresh = createProjectAuth({ apiKey: API_KEY, apiSecret: API_SECRET }, { reuse: false });
await asyncRate(() => reused.header(), 200);
await asyncRate(() => fresh.header(), 200);
const jwtSamples = { reused: [] as number[], fresh: [] as number[] };
for (let round = 0; round < ROUNDS; round += 1) {
  jwtSamples.reused.push(await asyncRate(() => reused.header(), SLICE_MS));
  jwtSamples.fresh.push(await asyncRate(() => fresh.header(), SLICE_MS));
}

const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<string, number>;
const lines = [
  `Node ${process.version}, ${ROUNDS} rounds × ${SLICE_MS} ms after warm-up; median tokens/s (min–max).`,
  '',
  '| generator | format | tokens/s (median) | spread (min–max) | vs official same format |',
  '|---|---|---:|---:|---:|',
  ...Object.entries(samples).map(([name, v]) => {
    const [who, format] = name.split(' ') as [string, string];
    const ratio = who === 'ours' ? `${(m[name]! / m[`official ${format}`]!).toFixed(2)}×` : '1.00×';
    return `| ${who === 'ours' ? 'opentok-gateway' : 'opentok (npm)'} | ${format} | ${fmt(m[name]!)} | ${fmt(Math.min(...v))}–${fmt(Math.max(...v))} | ${ratio} |`;
  }),
  '',
  '| project REST JWT (X-OPENTOK-AUTH) | cost per call (median) | calls/s (median) |',
  '|---|---:|---:|',
  `| signed per request (what the SDKs do) | ${(1e6 / median(jwtSamples.fresh)).toFixed(2)} µs | ${fmt(median(jwtSamples.fresh))} |`,
  `| reused until 60 s before expiry | ${(1e6 / median(jwtSamples.reused)).toFixed(3)} µs | ${fmt(median(jwtSamples.reused))} |`,
];
console.log(lines.join('\n'));
if (sink === 0) console.log('');
