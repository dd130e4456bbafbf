/**
 * Splits row 1's added latency: sequential (c=1) latency of the same archive
 * list through (a) Node's bare fetch, (b) our REST client alone, both from one
 * process on the gateway's core. The gateway's own p50 minus (b) is the
 * GraphQL layer; (b) minus (a) is the client; (a) is Node's HTTP stack.
 * argv: EMULATOR_URL API_KEY API_SECRET. Prints one JSON line.
 */
import { createOpenTokClient } from '../../src/client/index.js';
import { projectJwt } from './jwt.js';
import { percentile } from './stats.js';

const [url, apiKey, apiSecret] = process.argv.slice(2) as [string, string, string];
const ITERATIONS = Number(process.env.ITERATIONS ?? 2000);

async function measure(fn: () => Promise<unknown>): Promise<{ p50Ms: number; p99Ms: number }> {
  for (let i = 0; i < 300; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { p50Ms: percentile(t, 50), p99Ms: percentile(t, 99) };
}

const client = createOpenTokClient({ apiKey, apiSecret, apiUrl: url });
const jwt = projectJwt(apiKey, apiSecret);
const listUrl = `${url}/v2/project/${apiKey}/archive?offset=0&count=50`;
const fetchOnly = await measure(async () => {
  const res = await fetch(listUrl, { headers: { accept: 'application/json', 'x-opentok-auth': jwt } });
  return res.json();
});
const ours = await measure(() => client.listArchives({ offset: 0, count: 50 }));
process.stdout.write(`${JSON.stringify({ fetch: fetchOnly, client: ours, iterations: ITERATIONS })}\n`);
