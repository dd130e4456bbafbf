/**
 * The small internal context every API-area module works over, and the wire→typed parsing
 * helpers they share. Parsers are tolerant: unknown fields are ignored, numbers that arrive as
 * strings are accepted, and a missing required field is an `OpenTokUnexpectedResponseError`.
 */
import { OpenTokUnexpectedResponseError } from './errors.js';
import { parseJsonBody, type Http, type RequestSpec } from './http.js';
import type { IncludedStream, Page } from './types.js';

export interface RequestContext {
  /** API key or Vonage application id. */
  readonly projectId: string;
  readonly http: Http;
}

/** `v2/project/{id}` followed by the encoded path segments. */
export function projectPath(ctx: RequestContext, ...segments: string[]): string {
  return ['v2/project', encodeURIComponent(ctx.projectId), ...segments.map(encodeURIComponent)].join('/');
}

/** Sends a request whose success body is JSON and parses it. */
export async function requestJson<T>(ctx: RequestContext, spec: RequestSpec, parse: (body: unknown, operation: string) => T): Promise<T> {
  const result = await ctx.http.send(spec);
  return parse(parseJsonBody(result, spec.operation), spec.operation);
}

/** Sends a request whose success body carries nothing we need. */
export async function requestVoid(ctx: RequestContext, spec: RequestSpec): Promise<void> {
  await ctx.http.send(spec);
}

// ---------------------------------------------------------------------------
// Parsing helpers

export type Wire = Record<string, unknown>;

/** Throws the typed error for a success body that does not have the expected shape. */
export function unexpected(operation: string, message: string): never {
  throw new OpenTokUnexpectedResponseError(`${operation} returned an unexpected body: ${message}`, { operation });
}

/** The value as a JSON object, or an unexpected-response error naming `what`. */
export function asObject(value: unknown, operation: string, what = 'the response'): Wire {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) unexpected(operation, `${what} is not a JSON object`);
  return value as Wire;
}

/** The first present key among snake/camel spellings. */
export function pick(wire: Wire, ...keys: string[]): unknown {
  for (const key of keys) {
    if (wire[key] !== undefined) return wire[key];
  }
  return undefined;
}

/** A required id-like field; numbers are accepted and stringified. */
export function reqString(wire: Wire, operation: string, ...keys: string[]): string {
  const value = pick(wire, ...keys);
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return unexpected(operation, `missing ${keys[0]}`);
}

/** An optional string field (numbers stringified); null when absent. */
export function optString(wire: Wire, ...keys: string[]): string | null {
  const value = pick(wire, ...keys);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** An optional number field; numeric strings are accepted. */
export function optNumber(wire: Wire, ...keys: string[]): number | null {
  const value = pick(wire, ...keys);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** An optional boolean field; the strings `true`/`false` are accepted (Ruby-era payloads). */
export function optBoolean(wire: Wire, ...keys: string[]): boolean | null {
  const value = pick(wire, ...keys);
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

/** `projectId`, `partnerId` or `applicationId`, number or string, as a string. */
export function projectIdOf(wire: Wire, fallback: string): string {
  return optString(wire, 'projectId', 'project_id', 'partnerId', 'partner_id', 'applicationId', 'application_id') ?? fallback;
}

/** The `{id, connectionId}` of a participant the platform dials into a session (a SIP call, an Audio Connector WebSocket); both required. */
export function dialedParticipant(wire: Wire, operation: string): { id: string; connectionId: string } {
  return { id: reqString(wire, operation, 'id'), connectionId: reqString(wire, operation, 'connectionId', 'connection_id') };
}

/** The `streams` of a manual-mode archive or broadcast; audio and video default to included. */
export function includedStreams(value: unknown): IncludedStream[] {
  if (!Array.isArray(value)) return [];
  const streams: IncludedStream[] = [];
  for (const item of value) {
    if (item === null || typeof item !== 'object') continue;
    const wire = item as Wire;
    const streamId = optString(wire, 'streamId', 'stream_id', 'id');
    if (streamId === null) continue;
    streams.push({ streamId, hasAudio: optBoolean(wire, 'hasAudio', 'has_audio') ?? true, hasVideo: optBoolean(wire, 'hasVideo', 'has_video') ?? true });
  }
  return streams;
}

/** A `{count, items}` envelope; `count` is the total of all matches. */
export function parsePage<T>(body: unknown, operation: string, item: (wire: Wire) => T): Page<T> {
  const wire = asObject(body, operation);
  const rawItems = wire.items ?? [];
  if (!Array.isArray(rawItems)) unexpected(operation, 'items is not an array');
  const items = rawItems.map((entry, i) => item(asObject(entry, operation, `items[${i}]`)));
  return { items, totalCount: optNumber(wire, 'count', 'totalCount') ?? items.length };
}

/** Only the keys whose value is defined, in insertion order (the wire omits unset options). */
export function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<T>;
}

/** Pages through a `{count, items}` list with offset/count until the total is reached or a page comes back short. */
export async function* paginate<T>(fetchPage: (offset: number, count: number) => Promise<Page<T>>, pageSize: number): AsyncGenerator<T, void, undefined> {
  let offset = 0;
  for (;;) {
    const page = await fetchPage(offset, pageSize);
    for (const item of page.items) yield item;
    offset += page.items.length;
    if (page.items.length < pageSize || offset >= page.totalCount) return;
  }
}
