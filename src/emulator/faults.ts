/**
 * Fault injection for reliability tests: by operation name, for the next N matching requests
 * or a share of them, answer with a status (500, 503, 429 + Retry-After …), add latency, or
 * drop the connection. Shares are deterministic (an accumulator, not a random draw), so a test
 * asking for 25 % gets exactly every fourth request.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, type JsonObject } from './http.js';

export interface Fault {
  id: string;
  /** Operation names (see docs/emulator.md), or `*` for every REST request. */
  operations: string[];
  status: number | null;
  retryAfterSeconds: number | null;
  latencyMs: number;
  drop: boolean;
  /** Requests still to fault (null: unlimited). */
  remaining: number | null;
  /** Share of matching requests to fault, 0..1 (null: every one). */
  rate: number | null;
  /** Requests faulted so far. */
  hits: number;
  message: string;
  accumulator: number;
}

export interface FaultVerdict {
  status: number | null;
  retryAfterSeconds: number | null;
  latencyMs: number;
  drop: boolean;
  message: string;
}

function num(body: JsonObject, key: string, min: number, max: number, integer = true): number | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw badRequest(`${key} must be a${integer ? 'n integer' : ' number'} between ${min} and ${max}`);
  }
  return v;
}

export function parseFault(body: JsonObject): Fault {
  let operations: string[];
  if (Array.isArray(body.operations)) {
    if (body.operations.length === 0 || !body.operations.every((o) => typeof o === 'string' && o !== '')) {
      throw badRequest('operations must be a non-empty array of operation names');
    }
    operations = body.operations as string[];
  } else if (body.operation === undefined || body.operation === null) {
    operations = ['*'];
  } else if (typeof body.operation === 'string' && body.operation !== '') {
    operations = [body.operation];
  } else {
    throw badRequest('operation must be an operation name or "*"');
  }
  const status = num(body, 'status', 400, 599);
  const latencyMs = num(body, 'latencyMs', 0, 120_000) ?? 0;
  const drop = body.drop === true;
  if (body.drop !== undefined && typeof body.drop !== 'boolean') throw badRequest('drop must be a boolean');
  if (status === null && latencyMs === 0 && !drop) throw badRequest('A fault needs at least one of status, latencyMs or drop');
  if (status !== null && drop) throw badRequest('status and drop cannot be combined');
  const count = num(body, 'count', 1, 1_000_000);
  const rate = num(body, 'rate', 0, 1, false);
  if (count !== null && rate !== null) throw badRequest('count and rate cannot be combined');
  let retryAfterSeconds = num(body, 'retryAfter', 0, 86_400);
  if (retryAfterSeconds === null && status === 429) retryAfterSeconds = 1;
  const message = typeof body.message === 'string' ? body.message : status === null ? '' : `Injected fault (HTTP ${status})`;
  return {
    id: randomUUID(),
    operations,
    status,
    retryAfterSeconds,
    latencyMs,
    drop,
    remaining: count,
    rate,
    hits: 0,
    message,
    accumulator: 0,
  };
}

export function faultWire(f: Fault): Record<string, unknown> {
  return {
    id: f.id,
    operations: f.operations,
    status: f.status,
    retryAfter: f.retryAfterSeconds,
    latencyMs: f.latencyMs,
    drop: f.drop,
    remaining: f.remaining,
    rate: f.rate,
    hits: f.hits,
  };
}

export class Faults {
  private list: Fault[] = [];

  get size(): number {
    return this.list.length;
  }

  add(fault: Fault): void {
    this.list.push(fault);
  }

  all(): Fault[] {
    return this.list;
  }

  clear(): void {
    this.list = [];
  }

  /** The fault to apply to one request of `op`, consuming a count or a share; null for none. */
  take(op: string): FaultVerdict | null {
    for (let i = 0; i < this.list.length; i++) {
      const f = this.list[i]!;
      if (!f.operations.includes('*') && !f.operations.includes(op)) continue;
      if (f.rate !== null) {
        f.accumulator += f.rate;
        if (f.accumulator < 1 - 1e-9) continue;
        f.accumulator -= 1;
      }
      f.hits++;
      if (f.remaining !== null && --f.remaining <= 0) this.list.splice(i, 1);
      return { status: f.status, retryAfterSeconds: f.retryAfterSeconds, latencyMs: f.latencyMs, drop: f.drop, message: f.message };
    }
    return null;
  }
}
