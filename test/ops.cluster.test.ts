/**
 * `npm start -- --workers N`: several workers on one port, sharing Redis; refused without it.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { startGatewayProcess } from './support/process.js';
import { ensureRedis } from './support/redis.js';

let emulator: RunningEmulator;
let redisUrl: string;
beforeAll(async () => {
  redisUrl = await ensureRedis();
  emulator = await startEmulator({ callbackSecret: 'cluster-secret' });
});
afterAll(async () => {
  await emulator?.close();
});

describe('--workers', () => {
  it('runs N workers on one port that answer and stop together on SIGTERM', async () => {
    const env = {
      OPENTOK_API_KEY: emulator.apiKey,
      OPENTOK_API_SECRET: emulator.apiSecret,
      OPENTOK_API_URL: emulator.url,
      AUTH_MODE: 'none',
      OPENTOK_CALLBACK_SECRET: 'cluster-secret',
      REDIS_URL: redisUrl,
      // Successful operations log at debug (src/server/yoga.ts); the lines say which worker answered.
      LOG_LEVEL: 'debug',
    };
    const cluster = await startGatewayProcess(env, ['--workers', '2'], 45_000);
    try {
      // Both workers print their banner; they share one port.
      const until = Date.now() + 30_000;
      while ((cluster.stdout().match(/listening on/g) ?? []).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const urls = [...cluster.stdout().matchAll(/listening on (\S+)/g)].map((m) => m[1]);
      expect(urls).toHaveLength(2);
      expect(new Set(urls).size).toBe(1);
      const pids = new Set<number>();
      // A new connection per request (no keep-alive agent): the primary hands connections out round-robin.
      const post = (path: string, body?: string) =>
        new Promise<number>((resolve, reject) => {
          const request = httpRequest(`${cluster.url}${path}`, { method: body ? 'POST' : 'GET', agent: false, headers: body ? { 'content-type': 'application/json' } : {} }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          });
          request.on('error', reject);
          request.end(body);
        });
      for (let i = 0; i < 10; i++) expect(await post('/graphql', JSON.stringify({ query: '{ archives { totalCount } }' }))).toBe(200);
      for (let i = 0; i < 2; i++) expect(await post('/ready')).toBe(200);
      for (const line of cluster.stderr().split('\n')) {
        if (line.includes('"msg":"graphql"')) pids.add((JSON.parse(line) as { pid: number }).pid);
      }
      // Requests were spread over the workers (the primary round-robins connections).
      expect(pids.size).toBe(2);
      cluster.kill('SIGTERM');
      expect(await cluster.exited).toBe(0);
    } finally {
      cluster.kill('SIGKILL');
    }
  }, 60_000);

  it('is refused without REDIS_URL, and with the embedded emulator', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--workers', '2'], { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, encoding: 'utf8', timeout: 30_000 });
    const noRedis = run({ OPENTOK_API_KEY: emulator.apiKey, OPENTOK_API_SECRET: emulator.apiSecret, OPENTOK_API_URL: emulator.url, AUTH_MODE: 'none', OPENTOK_CALLBACK_SECRET: 'x' });
    expect(noRedis.status).toBe(2);
    expect(noRedis.stderr).toMatch(/--workers needs REDIS_URL/);
    const embedded = run({ REDIS_URL: redisUrl });
    expect(embedded.status).toBe(2);
    expect(embedded.stderr).toMatch(/embedded emulator/);
  }, 60_000);
});
