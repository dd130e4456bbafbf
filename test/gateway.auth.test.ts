/**
 * Authorization, field by field: every root field of the schema (enumerated from it, so a new
 * field without a rule fails here) is called with every scope set, and exactly the expected ones
 * pass; the others are FORBIDDEN. Plus the configuration of authentication (AUTH_* variables,
 * the GATEWAY_JWT_* aliases, refusing real credentials without auth).
 */
import { SignJWT } from 'jose';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { schema } from '../src/schema/index.js';
import type { JwtAuthConfig } from '../src/server/auth.js';
import { ConfigError, loadConfig } from '../src/server/config.js';
import { createGateway, type Gateway } from '../src/server/gateway.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const AUTH: JwtAuthConfig = {
  mode: 'jwt',
  key: { kind: 'hs256', secret: SECRET },
  issuer: 'https://auth.example.com',
  audience: 'opentok-gateway',
  scopeClaim: 'scope',
  sessionsClaim: 'sessions',
  clockToleranceSeconds: 5,
  allowAnonymous: false,
};

let emulator: RunningEmulator;
let gateway: Gateway;

beforeAll(async () => {
  emulator = await startEmulator();
  const client = createOpenTokClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, apiUrl: emulator.url, retry: { retries: 0 } });
  gateway = createGateway({ client, auth: AUTH, security: { rateLimit: null } });
});
afterAll(async () => {
  await gateway?.close();
  await emulator?.close();
});

const token = (scope: string) =>
  new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setIssuer(AUTH.issuer)
    .setAudience(AUTH.audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

/** A value of the right shape for an argument: enough to get past parsing to authorization. */
function sample(type: GraphQLInputType): string {
  const inner = getNullableType(type);
  if (isListType(inner)) return '[]';
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${sample(f.type)}`).join(', ')} }`;
  }
  if (isEnumType(inner)) return inner.getValues()[0]!.name;
  if (isScalarType(inner)) {
    if (inner.name === 'Int' || inner.name === 'Float') return '1';
    if (inner.name === 'Boolean') return 'false';
    if (inner.name === 'DateTime') return '"2030-01-01T00:00:00Z"';
    return '"1_MX4xMjM0NTZ-fjE3MjAwMDAwMDAwMDB-Zm9vYmFyfn4"';
  }
  throw new Error(`no sample for ${String(type)}`);
}

function operationFor(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a) => isNonNullType(a.type));
  const argText = args.length ? `(${args.map((a) => `${a.name}: ${sample(a.type)}`).join(', ')})` : '';
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `${kind} { ${field.name}${argText}${selection} }`;
}

/** The scope each root field needs. A field missing here fails the walk below. */
const REQUIRED: Record<string, string> = {
  // Every read.
  ...Object.fromEntries(Object.keys(schema.getQueryType()!.getFields()).map((name) => [name, 'video:read'])),
  ...Object.fromEntries(Object.keys(schema.getSubscriptionType()?.getFields() ?? {}).map((name) => [name, 'video:read'])),
  createSession: 'video:write',
  startArchive: 'video:write',
  stopArchive: 'video:write',
  deleteArchive: 'video:write',
  setArchiveLayout: 'video:write',
  addArchiveStream: 'video:write',
  removeArchiveStream: 'video:write',
  startBroadcast: 'video:write',
  stopBroadcast: 'video:write',
  setBroadcastLayout: 'video:write',
  addBroadcastStream: 'video:write',
  removeBroadcastStream: 'video:write',
  startRender: 'video:write',
  stopRender: 'video:write',
  startCaptions: 'video:write',
  stopCaptions: 'video:write',
  setStreamLayoutClasses: 'video:write',
  sendSignal: 'video:write',
  dialSip: 'video:write',
  playDtmf: 'video:write',
  connectAudioStream: 'video:write',
  forceDisconnect: 'video:moderate',
  muteStream: 'video:moderate',
  muteAllStreams: 'video:moderate',
  disableForceMute: 'video:moderate',
  // Publisher tokens by default; a moderator token needs video:moderate (tested below).
  generateToken: 'token:publish',
};

const SCOPE_SETS = ['', 'video:read', 'video:write', 'video:moderate', 'token:publish', 'video:read video:write video:moderate token:publish'];

async function run(kind: 'query' | 'mutation' | 'subscription', document: string, bearer: string): Promise<{ codes: string[] }> {
  if (kind !== 'subscription') {
    const response = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ query: document }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    return { codes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE') };
  }
  // A subscription that is refused answers at once; an allowed one stays silent until an event.
  const abort = new AbortController();
  const response = await gateway.yoga.fetch(`http://gateway/graphql?query=${encodeURIComponent(document)}`, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${bearer}` },
    signal: abort.signal,
  });
  const reader = response.body!.getReader();
  let text = '';
  const timer = setTimeout(() => {
    abort.abort();
    void reader.cancel().catch(() => undefined);
  }, 300);
  try {
    while (!text.includes('\n\n') || !text.includes('data:')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    // Aborted: nothing was refused.
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  const codes = [...text.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1]!);
  return { codes };
}

describe('authorization per root field (scope-auth)', () => {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;

  it('every root field declares authScopes and has a rule in this table', () => {
    for (const [, type] of roots) {
      for (const field of Object.values(type?.getFields() ?? {})) {
        expect(REQUIRED[field.name], `no expected scope for ${type!.name}.${field.name}`).toBeDefined();
        const options = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions;
        expect(options?.authScopes, `${type!.name}.${field.name} has no authScopes`).toBeDefined();
      }
    }
  });

  for (const [kind, type] of roots) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      it(`${type!.name}.${field.name}: only ${REQUIRED[field.name]} passes`, async () => {
        const document = operationFor(kind, field);
        const outcome: Record<string, boolean> = {};
        for (const scopes of SCOPE_SETS) {
          const { codes } = await run(kind, document, await token(scopes));
          outcome[scopes || '(none)'] = !codes.includes('FORBIDDEN');
        }
        const expected = Object.fromEntries(SCOPE_SETS.map((s) => [s || '(none)', s.split(' ').includes(REQUIRED[field.name]!)]));
        expect(outcome).toEqual(expected);
      });
    }
  }

  it('a moderator token needs video:moderate; token:publish is enough for publisher, publisheronly and subscriber', async () => {
    const sid = '1_MX4xMjM0NTZ-fjE3MjAwMDAwMDAwMDB-Zm9vYmFyfn4';
    const mint = async (role: string, scopes: string) =>
      run('mutation', `mutation { generateToken(input: { sessionId: "${sid}", role: ${role} }) { role } }`, await token(scopes));
    expect((await mint('MODERATOR', 'token:publish')).codes).toEqual(['FORBIDDEN']);
    expect((await mint('MODERATOR', 'video:moderate')).codes).not.toContain('FORBIDDEN');
    for (const role of ['PUBLISHER', 'PUBLISHERONLY', 'SUBSCRIBER']) {
      expect((await mint(role, 'token:publish')).codes, role).not.toContain('FORBIDDEN');
      expect((await mint(role, 'video:moderate video:write video:read')).codes, role).toEqual(['FORBIDDEN']);
    }
  });

  it('FORBIDDEN names the missing scope, and the rest of the query still runs', async () => {
    const response = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token('video:read')}` },
      body: JSON.stringify({ query: 'mutation { createSession { id } }' }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
    expect(body.errors[0]!.message).toMatch(/video:write/);
  });
});

describe('authentication configuration', () => {
  it('reads AUTH_* (and the GATEWAY_JWT_* aliases); requires issuer and audience with a key', () => {
    expect(loadConfig({}).auth).toBeNull();
    expect(loadConfig({ AUTH_HS256_SECRET: SECRET, AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }).auth).toMatchObject({ mode: 'jwt', key: { kind: 'hs256', secret: SECRET }, issuer: 'i', audience: 'a', scopeClaim: 'scope', sessionsClaim: 'sessions' });
    expect(loadConfig({ GATEWAY_JWT_SECRET: SECRET, GATEWAY_JWT_ISSUER: 'i', GATEWAY_JWT_AUDIENCE: 'a', AUTH_SCOPE_CLAIM: 'scp', AUTH_SESSIONS_CLAIM: 'rooms' }).auth).toMatchObject({ key: { kind: 'hs256' }, scopeClaim: 'scp', sessionsClaim: 'rooms' });
    expect(loadConfig({ AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }).auth).toMatchObject({ key: { kind: 'jwks', url: 'https://idp.example.com/.well-known/jwks.json' } });
    expect(() => loadConfig({ AUTH_HS256_SECRET: 'short', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toThrow(/at least 32 characters/);
    expect(() => loadConfig({ AUTH_HS256_SECRET: SECRET })).toThrow(/AUTH_ISSUER is required[\s\S]*AUTH_AUDIENCE is required/);
    expect(() => loadConfig({ AUTH_PUBLIC_KEY: 'not a pem', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toThrow(/AUTH_PUBLIC_KEY is not a usable PEM public key/);
    expect(() => loadConfig({ AUTH_HS256_SECRET: SECRET, AUTH_JWKS_URL: 'https://x.example.com/jwks', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toThrow(/not several/);
    expect(() => loadConfig({ AUTH_MODE: 'maybe' })).toThrow(/AUTH_MODE must be jwt or none/);
    expect(() => loadConfig({ AUTH_MODE: 'jwt' })).toThrow(/AUTH_MODE=jwt needs/);
  });

  it('refuses real credentials without auth, unless AUTH_MODE=none', () => {
    const creds = { OPENTOK_API_KEY: '123456', OPENTOK_API_SECRET: 'secret' };
    expect(() => loadConfig(creds)).toThrow(ConfigError);
    expect(() => loadConfig(creds)).toThrow(/no caller authentication is.*AUTH_MODE=none/);
    expect(loadConfig({ ...creds, AUTH_MODE: 'none' }).auth).toEqual({ mode: 'none' });
    expect(loadConfig({ ...creds, AUTH_HS256_SECRET: SECRET, AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }).auth).toMatchObject({ mode: 'jwt' });
  });
});
