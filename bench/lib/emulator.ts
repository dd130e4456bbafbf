/**
 * The OpenTok emulator as the bench's upstream: started as its own process
 * (pinned beside the load generator), seeded through its public REST API and
 * its /_emulator control API only, exactly as any outside tool would.
 */
import { createTokenGenerator } from '../../src/client/tokens.js';
import { projectJwt } from './jwt.js';
import { NODE, freePort, spawnProc, waitFor, type Proc } from './proc.js';

export interface Emulator {
  url: string;
  apiKey: string;
  apiSecret: string;
  proc: Proc;
}

export const BENCH_API_KEY = '4700001';
export const BENCH_API_SECRET = 'bench0secret0bench0secret0bench0secret0';

export async function startEmulator(core: number | undefined): Promise<Emulator> {
  const port = await freePort();
  const proc = spawnProc(
    'emulator',
    NODE,
    ['--import', 'tsx', 'bench/lib/emulator-child.ts', String(port), BENCH_API_KEY, BENCH_API_SECRET],
    core === undefined ? {} : { core },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('emulator', async () => (await fetch(`${url}/_emulator/requests`)).ok, { proc, timeoutMs: 60_000 });
  return { url, apiKey: BENCH_API_KEY, apiSecret: BENCH_API_SECRET, proc };
}

async function call<T>(emu: Emulator, method: string, path: string, body?: unknown, form = false): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'x-opentok-auth': projectJwt(emu.apiKey, emu.apiSecret),
  };
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
    payload = form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
  }
  const res = await fetch(`${emu.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export interface Seed {
  /** Routed sessions with a connected publisher each (the first has a live broadcast). */
  sessionIds: string[];
  /** One stream id per session in sessionIds, same order. */
  streamIds: string[];
  archiveIds: string[];
  broadcastId: string;
  /** Archives by status as listed after seeding. */
  statuses: Record<string, number>;
  totalArchives: number;
}

/**
 * Four routed sessions, each with a simulated publisher; 56 archives spread
 * over them (started and stopped in turn, the last of each session left
 * recording) so `archives(count: 50)` is a full page of mixed statuses; one
 * HLS broadcast for the composite query of row 3.
 */
export async function seedEmulator(emu: Emulator, archivesPerSession = 14): Promise<Seed> {
  const p = `/v2/project/${emu.apiKey}`;
  const token = createTokenGenerator({ apiKey: emu.apiKey, apiSecret: emu.apiSecret });
  const sessionIds: string[] = [];
  const streamIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const created = await call<Array<{ session_id: string }>>(emu, 'POST', '/session/create', { 'p2p.preference': 'disabled' }, true);
    const sessionId = created[0]!.session_id;
    const conn = await call<{ connectionId: string }>(emu, 'POST', `/_emulator/sessions/${encodeURIComponent(sessionId)}/connections`, {
      token: token(sessionId, { role: 'publisher' }),
      data: `bench-client-${i}`,
    });
    const stream = await call<{ streamId: string }>(
      emu,
      'POST',
      `/_emulator/sessions/${encodeURIComponent(sessionId)}/connections/${conn.connectionId}/streams`,
      { name: `camera-${i}`, videoType: 'camera' },
    );
    sessionIds.push(sessionId);
    streamIds.push(stream.streamId);
  }
  const archiveIds: string[] = [];
  for (let round = 0; round < archivesPerSession; round++) {
    for (const sessionId of sessionIds) {
      const archive = await call<{ id: string }>(emu, 'POST', `${p}/archive`, { sessionId, name: `bench-${archiveIds.length}` });
      archiveIds.push(archive.id);
      // Keep the newest archive of each session recording; stop the rest so the
      // emulator walks them on to "available" (about a second of its clock).
      if (round < archivesPerSession - 1) await call(emu, 'POST', `${p}/archive/${archive.id}/stop`, {});
    }
  }
  const broadcast = await call<{ id: string }>(emu, 'POST', `${p}/broadcast`, {
    sessionId: sessionIds[0],
    outputs: { hls: {} },
  });
  const listed = await listArchives(emu);
  const statuses: Record<string, number> = {};
  for (const item of listed.items) statuses[item.status] = (statuses[item.status] ?? 0) + 1;
  return { sessionIds, streamIds, archiveIds, broadcastId: broadcast.id, statuses, totalArchives: listed.count };
}

export async function listArchives(emu: Emulator, count = 1000): Promise<{ count: number; items: Array<{ id: string; status: string; sessionId: string }> }> {
  return call(emu, 'GET', `/v2/project/${emu.apiKey}/archive?offset=0&count=${count}`);
}

/** Holds every `operation` request for `latencyMs` before answering (the emulator's latency fault); returns a remover. */
export async function addLatency(emu: Emulator, operation: string, latencyMs: number): Promise<() => Promise<void>> {
  await call(emu, 'POST', '/_emulator/faults', { operation, latencyMs });
  return () => call(emu, 'DELETE', '/_emulator/faults');
}

export async function advanceClock(emu: Emulator, advanceMs: number): Promise<void> {
  await call(emu, 'POST', '/_emulator/clock', { advanceMs });
}

/**
 * Total REST calls the emulator has served, from /_emulator/requests. The
 * counters are keyed by operation; the control API itself is not counted.
 */
export async function upstreamCalls(emu: Emulator): Promise<number> {
  const res = await fetch(`${emu.url}/_emulator/requests`);
  if (!res.ok) throw new Error(`GET /_emulator/requests → ${res.status}`);
  const body = (await res.json()) as { total?: unknown };
  // `total` counts REST operations only (the control API is not counted).
  return typeof body.total === 'number' ? body.total : sumCounters(body);
}

/** The emulator's per-operation counters (operation name → calls served). */
export async function upstreamByOperation(emu: Emulator): Promise<Record<string, number>> {
  const res = await fetch(`${emu.url}/_emulator/requests`);
  if (!res.ok) throw new Error(`GET /_emulator/requests → ${res.status}`);
  const body = (await res.json()) as { byOperation?: Record<string, number> };
  return body.byOperation ?? {};
}

/** after − before, per operation, zero entries dropped. */
export function diffCounters(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d !== 0) out[op] = d;
  }
  return out;
}

export function sumCounters(value: unknown): number {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + sumCounters(v), 0);
  if (value !== null && typeof value === 'object') {
    let n = 0;
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith('_') || key.includes('_emulator') || key === 'since') continue;
      n += sumCounters(v);
    }
    return n;
  }
  return 0;
}
