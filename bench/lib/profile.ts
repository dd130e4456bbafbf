/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time:
 * the short list that says where the gateway's core goes under load.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  /** Where it lives: a package name or a repo-relative path, with the line. */
  where: string;
  selfMs: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  top: SelfTime[];
  /** Self time grouped by package / area (graphql, yoga, undici, ours…). */
  byArea: Array<{ area: string; selfMs: number; percent: number }>;
}

function where(url: string, line: number): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
    return `${pkg}:${line + 1}`;
  }
  const src = path.indexOf('/src/');
  // tsx's transform keeps no useful line for whole-module code; the name says enough then.
  if (src >= 0) return line > 0 ? `${path.slice(src + 1)}:${line + 1}` : path.slice(src + 1);
  if (path.startsWith('node:')) return path;
  return path === '' ? '(native)' : `${path}:${line + 1}`;
}

function area(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? 'node_modules');
  }
  const src = path.indexOf('/src/');
  if (src >= 0) return path.slice(src + 1).split('/').slice(0, 2).join('/');
  // Node's own JS, split where it matters: its fetch (undici) apart from the rest.
  if (path.startsWith('node:internal/deps/undici')) return 'node: undici (fetch)';
  if (path.startsWith('node:internal/deps/')) return `node: ${path.slice('node:internal/deps/'.length).split('/')[0]}`;
  if (path.startsWith('node:')) {
    const mod = path.replace(/^node:(internal\/)?/, '').split('/')[0] ?? path;
    return `node: ${mod}`;
  }
  return '(V8/native)';
}

export function summariseProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let idleUs = 0;
  let busyUs = 0;
  const fns = new Map<string, SelfTime>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const name = functionName || '(anonymous)';
    const loc = where(url, lineNumber);
    const key = `${name}@${loc}`;
    const entry = fns.get(key) ?? { name, where: loc, selfMs: 0, percent: 0 };
    entry.selfMs += us / 1000;
    fns.set(key, entry);
    const a = functionName === '(garbage collector)' ? '(garbage collector)' : area(url);
    areas.set(a, (areas.get(a) ?? 0) + us / 1000);
  }
  const busyMs = busyUs / 1000;
  const top = [...fns.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, topN);
  for (const t of top) t.percent = (100 * t.selfMs) / busyMs;
  const byArea = [...areas.entries()]
    .map(([a, ms]) => ({ area: a, selfMs: ms, percent: (100 * ms) / busyMs }))
    .sort((x, y) => y.selfMs - x.selfMs)
    .slice(0, topN);
  return { busyMs, idleMs: idleUs / 1000, top, byArea };
}
