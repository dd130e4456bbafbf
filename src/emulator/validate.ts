/**
 * Input readers for request bodies. They accept every spelling real SDKs send (API.md §8 item 3:
 * string booleans from Ruby, snake_case nested keys, aliases) and reject everything else with
 * the 400 the platform gives, naming the field. Handlers read and validate the whole body
 * before they change any state, so a bad request never leaves anything half-applied.
 */
import { LAYOUT_TYPES, SCREENSHARE_LAYOUT_TYPES, type LayoutType, type ScreenshareLayoutType } from '../client/constants.js';
import { badRequest, type JsonObject } from './http.js';

/** `true`/`false`, or Ruby's `"true"`/`"false"`; `undefined` when absent or null. */
export function optBool(body: JsonObject, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw badRequest(`${key} must be a boolean`);
}

export function optString(body: JsonObject, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`);
  return v;
}

export function reqString(body: JsonObject, key: string, what = key): string {
  const v = optString(body, key);
  if (v === undefined || v === '') throw badRequest(`${what} is required`);
  return v;
}

/** Integers, also as numeric strings; `undefined` when absent. */
export function optInt(body: JsonObject, key: string, min: number, max: number): number | undefined {
  const raw = body[key];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const v = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badRequest(`${key} must be an integer`);
  if (v < min || v > max) throw badRequest(`${key} must be between ${min} and ${max}`);
  return v;
}

export function optEnum<T extends string>(body: JsonObject, key: string, values: readonly T[]): T | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !values.includes(v as T)) throw badRequest(`${key} must be one of ${values.join(', ')}`);
  return v as T;
}

export function optObject(body: JsonObject, key: string): JsonObject | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${key} must be an object`);
  return v as JsonObject;
}

export function optStringArray(body: JsonObject, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw badRequest(`${key} must be an array of strings`);
  return v as string[];
}

export interface LayoutInput {
  type: LayoutType;
  stylesheet?: string;
  screenshareType?: ScreenshareLayoutType;
}

/**
 * The archive/broadcast layout rules (API.md §5.2.6): `stylesheet` only and always with
 * `custom`; `screenshareType` (Ruby sends `screenshare_type`) only with `bestFit`.
 */
export function readLayout(layout: JsonObject): LayoutInput {
  const type = layout.type;
  if (typeof type !== 'string' || !LAYOUT_TYPES.includes(type as LayoutType)) {
    throw badRequest(`Invalid layout type: must be one of ${LAYOUT_TYPES.join(', ')}`);
  }
  const stylesheet = layout.stylesheet;
  if (stylesheet !== undefined && stylesheet !== null && typeof stylesheet !== 'string') throw badRequest('stylesheet must be a string');
  if (type === 'custom' && (typeof stylesheet !== 'string' || stylesheet === '')) throw badRequest('Invalid layout: custom type must have a stylesheet');
  if (type !== 'custom' && typeof stylesheet === 'string' && stylesheet !== '') throw badRequest('Invalid layout: stylesheet is only allowed with the custom type');
  const screenshare = layout.screenshareType ?? layout.screenshare_type;
  let screenshareType: ScreenshareLayoutType | undefined;
  if (screenshare !== undefined && screenshare !== null) {
    if (typeof screenshare !== 'string' || !SCREENSHARE_LAYOUT_TYPES.includes(screenshare as ScreenshareLayoutType)) {
      throw badRequest(`Invalid screenshareType: must be one of ${SCREENSHARE_LAYOUT_TYPES.join(', ')}`);
    }
    if (type !== 'bestFit') throw badRequest("Invalid layout: type must be set to 'bestFit' if screenshareType is defined");
    screenshareType = screenshare as ScreenshareLayoutType;
  }
  const out: LayoutInput = { type: type as LayoutType };
  if (type === 'custom') out.stylesheet = stylesheet as string;
  if (screenshareType !== undefined) out.screenshareType = screenshareType;
  return out;
}

/** The add/remove-stream body shared by archives and broadcasts (API.md §5.2.7). */
export type StreamPatch =
  | { add: string; hasAudio: boolean; hasVideo: boolean }
  | { remove: string };

export function readStreamPatch(body: JsonObject): StreamPatch {
  const add = optString(body, 'addStream');
  const remove = optString(body, 'removeStream');
  if (add !== undefined && remove !== undefined) throw badRequest('Only one of addStream or removeStream may be given');
  if (remove !== undefined) {
    if (remove === '') throw badRequest('removeStream must be a stream ID');
    return { remove };
  }
  if (add === undefined || add === '') throw badRequest('One of addStream or removeStream is required');
  const hasAudio = optBool(body, 'hasAudio') ?? true;
  const hasVideo = optBool(body, 'hasVideo') ?? true;
  if (!hasAudio && !hasVideo) throw badRequest('hasAudio and hasVideo cannot both be false');
  return { add, hasAudio, hasVideo };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const isIPv4 = (s: string): boolean => IPV4.test(s);

/** UTF-8 byte length, for the limits the platform states in bytes. */
export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');
