/**
 * The OpenTok session-id format (API.md §4), shared by the client and the emulator.
 *
 * `<v>_<base64url, no padding>` of `1~<apiKey>~<location>~<creation date>~<random>~`.
 * The official SDKs decode it to check that a session belongs to the API key before
 * they mint a token, so ids we mint must follow it exactly.
 */
import { randomInt } from 'node:crypto';
import { LIMITS } from './constants.js';

export interface DecodedSessionId {
  /** The version prefix before `_` (`1` or `2` are seen). */
  version: string;
  /** API key (or application id) of the project that owns the session. */
  projectId: string;
  /** IPv4 location hint, or null when none was given. */
  location: string | null;
  /** Creation time, when the embedded date string parses; null otherwise. */
  createdAt: Date | null;
}

export interface EncodeSessionIdInput {
  projectId: string;
  location?: string | null;
  createdAt?: Date;
  /** The random part; defaults to a fresh random float. */
  nonce?: number;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The server's date style (Java `Date#toString`), in UTC: `Fri Dec 04 19:47:23 UTC 2026`. */
export function formatOpenTokDate(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad2(date.getUTCDate())} ` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/** Mints a session id in the real format, embedding the project, location and creation time. */
export function encodeSessionId(input: EncodeSessionIdInput): string {
  const createdAt = input.createdAt ?? new Date();
  // A float like the real ids carry; randomInt keeps it unpredictable enough to be unique.
  const nonce = input.nonce ?? randomInt(1, 2 ** 47) / 2 ** 47;
  const record = `1~${input.projectId}~${input.location ?? ''}~${formatOpenTokDate(createdAt)}~${nonce}~`;
  return `1_${Buffer.from(record, 'utf8').toString('base64url')}`;
}

/** Decodes a session id; null when it is not in the OpenTok format. Accepts both base64 alphabets. */
export function decodeSessionId(sessionId: string): DecodedSessionId | null {
  if (typeof sessionId !== 'string' || sessionId.length < 3 || sessionId.length > LIMITS.sessionIdMaxLength) return null;
  const underscore = sessionId.indexOf('_');
  if (underscore < 1) return null;
  const payload = sessionId.slice(underscore + 1);
  if (!/^[A-Za-z0-9\-_+/]+=*$/.test(payload)) return null;
  const text = Buffer.from(payload.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url').toString('utf8');
  const fields = text.split('~');
  if (fields.length < 4) return null;
  const projectId = fields[1] ?? '';
  if (projectId === '') return null;
  const location = fields[2] ? fields[2] : null;
  const parsed = fields[3] ? Date.parse(fields[3]) : Number.NaN;
  return {
    version: sessionId.slice(0, underscore),
    projectId,
    location,
    createdAt: Number.isNaN(parsed) ? null : new Date(parsed),
  };
}

/** True when the session id was minted for this API key (the exact-field check of the Node SDK). */
export function sessionBelongsTo(sessionId: string, projectId: string): boolean {
  return decodeSessionId(sessionId)?.projectId === projectId;
}
