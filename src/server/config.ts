/**
 * Configuration: read once from the environment (and `.env`, if present) at start-up,
 * validated, and passed down. Nothing else in the gateway reads process.env.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AuthConfig } from './auth.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { readSecurityConfig, SECURITY_VARIABLES, type SecurityConfig } from './security-config.js';

export type Upstream =
  | { kind: 'emulator' }
  | { kind: 'opentok'; apiKey: string; apiSecret: string; apiUrl: string | undefined }
  | { kind: 'vonage'; applicationId: string; privateKey: string; apiUrl: string | undefined };

export interface GatewayConfig {
  port: number;
  /** Undefined = every interface (IPv4 and IPv6). */
  host: string | undefined;
  upstream: Upstream;
  /** Per-attempt timeout of upstream calls. */
  timeoutMs: number;
  /** Retries of idempotent upstream calls after a 5xx, 429 or network error. */
  retries: number;
  logLevel: LogLevel;
  graphiql: boolean;
  /** Embedded emulator only: seed demo data at start. */
  seedDemo: boolean;
  /** Embedded emulator only: its port (0 = any free port). */
  emulatorPort: number;
  /** The gateway's externally reachable base URL, for OpenTok callbacks; default http://localhost:PORT. */
  publicUrl: string | undefined;
  /** Longest life of a cached archive/broadcast/stream read in ms; 0 = no response cache. */
  cacheTtlMs: number;
  /** Graceful shutdown: how long /ready fails before connections are refused, and how long in-flight requests may take. */
  shutdown: { drainDelayMs: number; graceMs: number };
  /** Caller authentication; null = the embedded emulator's open mode (anonymous callers plus a dev token). */
  auth: AuthConfig | null;
  /** Limits, rate limiting, Redis, persisted operations, CORS, legacy callback auth (security-config.ts). */
  security: Omit<SecurityConfig, 'auth'>;
  /** Verify OpenTok callback signatures with this secret; null = accept unsigned callbacks (a random one is used with the embedded emulator). */
  callbackSecret: string | null;
}

interface VariableDoc {
  name: string;
  description: string;
}

/** Every variable the gateway reads, for `--help` and the README. */
export const VARIABLES: readonly VariableDoc[] = [
  { name: 'PORT', description: 'Port of the GraphQL server (default 4000; 0 = any free port).' },
  { name: 'HOST', description: 'Interface to listen on (default: all interfaces).' },
  { name: 'OPENTOK_API_KEY', description: 'OpenTok project API key. With OPENTOK_API_SECRET, use the real OpenTok API.' },
  { name: 'OPENTOK_API_SECRET', description: 'OpenTok project API secret.' },
  { name: 'VONAGE_APPLICATION_ID', description: 'Vonage application id. With a private key, use the Vonage Video API.' },
  { name: 'VONAGE_PRIVATE_KEY', description: 'Vonage application private key (PEM; `\\n` escapes allowed).' },
  { name: 'VONAGE_PRIVATE_KEY_PATH', description: 'Path of a file holding the Vonage private key (instead of VONAGE_PRIVATE_KEY).' },
  { name: 'OPENTOK_API_URL', description: 'Override the API base URL (default https://api.opentok.com, or https://video.api.vonage.com for Vonage).' },
  { name: 'OPENTOK_TIMEOUT_MS', description: 'Timeout of each upstream request attempt in ms (default 10000).' },
  { name: 'OPENTOK_RETRIES', description: 'Retries of idempotent upstream requests after 5xx/429/network errors (default 2).' },
  { name: 'LOG_LEVEL', description: `One of ${LOG_LEVELS.join(', ')} (default info).` },
  { name: 'GRAPHIQL', description: 'Serve GraphiQL on GET /graphql from a browser: true or false (default true).' },
  ...SECURITY_VARIABLES,
  { name: 'GATEWAY_JWT_SECRET', description: 'Alias of AUTH_HS256_SECRET (GATEWAY_JWT_ISSUER / GATEWAY_JWT_AUDIENCE: of AUTH_ISSUER / AUTH_AUDIENCE).' },
  { name: 'OPENTOK_CALLBACK_SECRET', description: 'Signature secret of your OpenTok callbacks (1–50 characters): /webhooks/opentok then accepts only callbacks signed with it.' },
  { name: 'PUBLIC_URL', description: 'Base URL where OpenTok can reach this gateway, for callbacks (default http://localhost:PORT).' },
  { name: 'RESPONSE_CACHE_TTL_MS', description: 'Longest life of a cached archive, broadcast or stream read (default 30000; 0 = off). Callbacks and mutations invalidate sooner.' },
  { name: 'SHUTDOWN_DRAIN_MS', description: 'On SIGTERM, how long /ready answers 503 before new connections are refused, for load balancers to notice (default 0).' },
  { name: 'SHUTDOWN_GRACE_MS', description: 'On SIGTERM, how long in-flight requests may take before their connections are cut (default 10000).' },
  { name: 'EMULATOR_PORT', description: 'With no credentials: port of the embedded OpenTok emulator (default 0 = any free port).' },
  { name: 'SEED_DEMO', description: 'With no credentials: seed demo data into the emulator at start: true or false (default true).' },
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nRun with --help to list the variables.`);
    this.name = 'ConfigError';
  }
}

export function helpText(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length));
  return [
    'opentok-gateway — a GraphQL API in front of the OpenTok (Vonage Video) REST API.',
    '',
    'Usage: npm start [-- --help]',
    '',
    'With no credentials, the gateway starts an embedded OpenTok emulator with demo data.',
    'Configuration comes from environment variables, and from ./.env when it exists:',
    '',
    ...VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.description}`),
    '',
  ].join('\n');
}

/** The process environment merged over ./.env (real environment variables win). */
export function readEnvironment(cwd: string = process.cwd()): Record<string, string | undefined> {
  const path = `${cwd}/.env`;
  const fromFile: Record<string, string> = {};
  if (existsSync(path)) Object.assign(fromFile, parseDotEnv(readFileSync(path, 'utf8')));
  return { ...fromFile, ...process.env };
}

/** KEY=value lines; `#` comments; single or double quotes; `\n` in double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\n/g, '\n');
    else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[match[1]!] = value;
  }
  return out;
}

export function loadConfig(env: Record<string, string | undefined>, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): GatewayConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const value = get(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const value = get(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    problems.push(`${name} must be true or false; got ${JSON.stringify(get(name))}`);
    return fallback;
  };
  const url = (name: string): string | undefined => {
    const value = get(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
      return value.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http:// or https:// URL; got ${JSON.stringify(value)}`);
      return undefined;
    }
  };

  const port = int('PORT', 4000, 0, 65535);
  const emulatorPort = int('EMULATOR_PORT', 0, 0, 65535);
  const timeoutMs = int('OPENTOK_TIMEOUT_MS', 10_000, 1, 600_000);
  const retries = int('OPENTOK_RETRIES', 2, 0, 10);
  const apiUrl = url('OPENTOK_API_URL');
  const publicUrl = url('PUBLIC_URL');
  const graphiql = bool('GRAPHIQL', true);
  const seedDemo = bool('SEED_DEMO', true);
  const cacheTtlMs = int('RESPONSE_CACHE_TTL_MS', 30_000, 0, 86_400_000);
  const shutdown = { drainDelayMs: int('SHUTDOWN_DRAIN_MS', 0, 0, 600_000), graceMs: int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000) };
  const callbackSecret = get('OPENTOK_CALLBACK_SECRET') ?? null;
  if (callbackSecret !== null && callbackSecret.length > 50) problems.push('OPENTOK_CALLBACK_SECRET must be 1–50 characters (the platform\'s limit)');

  const logLevelRaw = get('LOG_LEVEL') ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw.toLowerCase()) ? (logLevelRaw.toLowerCase() as LogLevel) : 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw.toLowerCase())) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(logLevelRaw)}`);

  const apiKey = get('OPENTOK_API_KEY');
  const apiSecret = get('OPENTOK_API_SECRET');
  const applicationId = get('VONAGE_APPLICATION_ID');
  let privateKey = get('VONAGE_PRIVATE_KEY')?.replace(/\\n/g, '\n');
  const privateKeyPath = get('VONAGE_PRIVATE_KEY_PATH');
  if (privateKeyPath !== undefined) {
    if (privateKey !== undefined) problems.push('Set VONAGE_PRIVATE_KEY or VONAGE_PRIVATE_KEY_PATH, not both');
    try {
      privateKey = readFile(privateKeyPath);
    } catch (error) {
      problems.push(`VONAGE_PRIVATE_KEY_PATH: cannot read ${privateKeyPath} (${(error as Error).message})`);
    }
  }

  let upstream: Upstream = { kind: 'emulator' };
  const opentok = apiKey !== undefined || apiSecret !== undefined;
  const vonage = applicationId !== undefined || privateKey !== undefined;
  if (opentok && vonage) {
    problems.push('Set either OPENTOK_API_KEY/OPENTOK_API_SECRET or VONAGE_APPLICATION_ID/VONAGE_PRIVATE_KEY, not both');
  } else if (opentok) {
    if (apiKey === undefined) problems.push('OPENTOK_API_SECRET is set but OPENTOK_API_KEY is missing');
    if (apiSecret === undefined) problems.push('OPENTOK_API_KEY is set but OPENTOK_API_SECRET is missing');
    if (apiKey !== undefined && apiSecret !== undefined) upstream = { kind: 'opentok', apiKey, apiSecret, apiUrl };
  } else if (vonage) {
    if (applicationId === undefined) problems.push('A Vonage private key is set but VONAGE_APPLICATION_ID is missing');
    if (privateKey === undefined) problems.push('VONAGE_APPLICATION_ID is set but VONAGE_PRIVATE_KEY (or VONAGE_PRIVATE_KEY_PATH) is missing');
    else if (!privateKey.includes('PRIVATE KEY')) problems.push('The Vonage private key is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")');
    if (applicationId !== undefined && privateKey?.includes('PRIVATE KEY')) upstream = { kind: 'vonage', applicationId, privateKey, apiUrl };
  } else if (apiUrl !== undefined) {
    problems.push('OPENTOK_API_URL is set but no credentials are: set OPENTOK_API_KEY/OPENTOK_API_SECRET (or the Vonage pair) too');
  }

  const { auth, ...security } = readSecurityConfig({ get, int, bool, url, problems, readFile }, upstream.kind);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: get('HOST'),
    upstream,
    timeoutMs,
    retries,
    logLevel,
    graphiql,
    seedDemo,
    emulatorPort,
    publicUrl,
    cacheTtlMs,
    shutdown,
    auth,
    security,
    callbackSecret,
  };
}
