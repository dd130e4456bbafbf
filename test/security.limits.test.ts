/**
 * What one request may ask for: each armor rule (depth, aliases, tokens, directives, cost), the
 * body-size limit (declared and chunked), introspection off/on, field suggestions masked in
 * production, CSRF prevention, CORS origins, persisted operations, and masked unexpected errors —
 * all over real HTTP, all refused before any upstream call.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenTokClient } from '../src/client/types.js';
import { loadConfig } from '../src/server/config.js';
import { loadPersistedOperations, sha256 } from '../src/server/limits.js';
import { createLogger } from '../src/server/log.js';
import { hsToken, HS_SECRET, jwtAuth, securedGateway, type SecuredGateway } from './support/auth.js';

const AUTH = jwtAuth({ kind: 'hs256', secret: HS_SECRET });
let t: SecuredGateway;
let bearer: string;

const requests = async (g: SecuredGateway) => ((await (await fetch(`${g.emulator.url}/_emulator/requests`)).json()) as { total: number }).total;

beforeAll(async () => {
  t = await securedGateway(AUTH, { listen: true, security: { limits: { maxBodyBytes: 4096, maxCost: 400, maxDirectives: 5, maxTokens: 400 }, rateLimit: null } });
  bearer = await hsToken();
});
afterAll(() => t?.close());

describe('armor rules: 400 before any upstream call', () => {
  it.each([
    ['depth', () => {
      let nested = 'id';
      for (let i = 0; i < 7; i++) nested = `session { archives { items { ${nested} } } }`;
      return `{ archives { items { ${nested} } } }`;
    }, /depth/i],
    ['aliases', () => `{ ${Array.from({ length: 51 }, (_, i) => `a${i}: archives { totalCount }`).join(' ')} }`, /aliases/i],
    ['tokens', () => `{ archives { items { ${'id '.repeat(401)} } } }`, /token/i],
    ['directives', () => `{ archives { totalCount ${'@include(if: true) '.repeat(6)} } }`, /directives/i],
    ['cost', () => `{ ${Array.from({ length: 12 }, (_, i) => `p${i}: archives { items { id name status session { id streams { id name } } } }`).join(' ')} }`, /cost/i],
  ] as const)('%s', async (_name, build, message) => {
    const before = await requests(t);
    const { status, body } = await t.post(build(), { bearer });
    expect(status).toBe(400);
    expect(body.errors![0]!.message).toMatch(message);
    expect(await requests(t)).toBe(before);
  });

  it('a normal query passes them all', async () => {
    const { status } = await t.post('{ archives(count: 10) { totalCount items { id session { id streams { id } } } } }', { bearer });
    expect(status).toBe(200);
  });
});

describe('request body size', () => {
  it('413 when Content-Length says it is too large', async () => {
    const { status } = await t.post(`{ archives { totalCount } } # ${'x'.repeat(5000)}`, { bearer });
    expect(status).toBe(413);
  });

  it('413 for a chunked body (no Content-Length) that grows past the limit', async () => {
    const url = new URL(`${t.url}/graphql`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"query":"{ archives { totalCount } }","pad":"');
      for (let i = 0; i < 10; i++) req.write('y'.repeat(1000));
      req.end('"}');
    });
    expect(status).toBe(413);
  });

  it('400 for a Content-Length that is not one non-negative integer (in process: Node\'s HTTP parser refuses it on a socket)', async () => {
    const send = (length: string) =>
      t.gateway.yoga.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': length, authorization: `Bearer ${bearer}` }, body: '{"query":"{ archives { totalCount } }"}' });
    expect((await send('38, 38')).status).toBe(400);
    expect((await send('-1')).status).toBe(400);
  });
});

describe('introspection and suggestions', () => {
  it('introspection is on by default and can be turned off', async () => {
    expect((await t.post('{ __schema { queryType { name } } }', { bearer })).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const closed = await securedGateway(AUTH, { emulator: t.emulator, security: { limits: { introspection: false } } });
    try {
      const refused = await closed.post('{ __schema { queryType { name } } }', { bearer });
      expect(refused.body.data ?? null).toBeNull();
      expect(refused.body.errors![0]!.message).toMatch(/introspection/i);
      expect((await closed.post('{ __type(name: "Archive") { name } }', { bearer })).body.errors).toBeDefined();
    } finally {
      await closed.close();
    }
  });

  it('configuration: on with the emulator, off in production with real credentials unless INTROSPECTION=true', () => {
    const real = { OPENTOK_API_KEY: '1', OPENTOK_API_SECRET: 's', AUTH_MODE: 'none' };
    expect(loadConfig({}).security.limits.introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).security.limits.introspection).toBe(true);
    expect(loadConfig({ ...real, NODE_ENV: 'production' }).security.limits).toMatchObject({ introspection: false, production: true });
    expect(loadConfig({ ...real, NODE_ENV: 'production', INTROSPECTION: 'true' }).security.limits.introspection).toBe(true);
    expect(loadConfig({ INTROSPECTION: 'false' }).security.limits.introspection).toBe(false);
  });

  it('field suggestions ("Did you mean") are masked in production only', async () => {
    const dev = await t.post('{ archivez { totalCount } }', { bearer });
    expect(dev.body.errors![0]!.message).toMatch(/Did you mean/);
    const prod = await securedGateway(AUTH, { emulator: t.emulator, security: { limits: { production: true } } });
    try {
      const masked = await prod.post('{ archivez { totalCount } }', { bearer });
      expect(masked.status).toBe(400);
      expect(masked.body.errors![0]!.message).not.toMatch(/Did you mean|archives/);
    } finally {
      await prod.close();
    }
  });
});

describe('CSRF prevention and CORS', () => {
  it('a simple cross-site request (GET without a preflight header, or a form POST) is refused', async () => {
    const query = encodeURIComponent('{ archives { totalCount } }');
    const simpleGet = await fetch(`${t.url}/graphql?query=${query}`);
    expect(simpleGet.status).toBe(403);
    const form = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${query}` });
    expect(form.status).toBe(403);
    // A script's GET with a header a page cannot add without a preflight passes.
    const scripted = await fetch(`${t.url}/graphql?query=${query}`, { headers: { 'graphql-require-preflight': '1', authorization: `Bearer ${bearer}` } });
    expect(scripted.status).toBe(200);
  });

  it('no CORS headers by default; only configured origins are allowed', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    expect((await preflight(t.url!, 'https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    const cors = await securedGateway(AUTH, { emulator: t.emulator, listen: true, security: { corsOrigins: ['https://app.example.com'] } });
    try {
      const allowed = await preflight(cors.url!, 'https://app.example.com');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      const other = await preflight(cors.url!, 'https://evil.example.com');
      expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com');
    } finally {
      await cors.close();
    }
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, https://b.example.com/' }).security.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(() => loadConfig({ CORS_ORIGINS: 'a.example.com' })).toThrow(/CORS_ORIGINS/);
  });
});

describe('persisted operations', () => {
  const listed = '{ archives { totalCount } }';
  let p: SecuredGateway;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'persisted-'));
    const file = join(dir, 'operations.json');
    writeFileSync(file, JSON.stringify({ [sha256(listed)]: listed }));
    p = await securedGateway(AUTH, { emulator: t.emulator, security: { persistedOperations: loadPersistedOperations(file) } });
  });
  afterAll(() => p?.close());

  const send = (payload: Record<string, unknown>) =>
    Promise.resolve(p.gateway.yoga.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(payload) })).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] } }));

  it('runs listed operations by hash or by their exact text; refuses anything else', async () => {
    expect((await send({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(listed) } } })).body).toEqual({ data: { archives: { totalCount: 0 } } });
    expect((await send({ documentId: sha256(listed) })).body).toEqual({ data: { archives: { totalCount: 0 } } });
    expect((await send({ query: listed })).body).toEqual({ data: { archives: { totalCount: 0 } } });
    const other = await send({ query: '{ archives { items { id } } }' });
    expect(other.body.errors![0]!.extensions.code).toBe('PERSISTED_QUERY_ONLY');
    const unknown = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ renders { totalCount } }') } } });
    expect(unknown.body.errors![0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('the allow-list file is checked when loaded', () => {
    const read = (text: string) => () => text;
    expect(loadPersistedOperations('x.json', read(JSON.stringify([sha256('{a}')]))).hashes.has(sha256('{a}'))).toBe(true);
    expect(() => loadPersistedOperations('x.json', read('["nope"]'))).toThrow(/sha256/);
    expect(() => loadPersistedOperations('x.json', read(JSON.stringify({ [sha256('{a}')]: '{b}' })))).toThrow(/hashes to/);
  });
});

describe('masked errors', () => {
  it('an unexpected failure returns a generic message and a request id; the log has the stack and the same id', async () => {
    const lines: string[] = [];
    const broken: OpenTokClient = Object.create(t.client, { listArchives: { value: () => Promise.reject(new TypeError('internal detail 42')) } });
    const { createGateway } = await import('../src/server/gateway.js');
    const g = createGateway({ client: broken, auth: AUTH, log: createLogger('error', (line) => lines.push(line)) });
    try {
      const response = await g.yoga.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify({ query: '{ archives { totalCount } }' }) });
      const body = (await response.json()) as { errors: { message: string; extensions: { requestId: string } }[] };
      const id = response.headers.get('x-request-id')!;
      expect(body.errors[0]!.message).toBe('Unexpected error.');
      expect(body.errors[0]!.extensions.requestId).toBe(id);
      expect(JSON.stringify(body)).not.toContain('internal detail 42');
      expect(lines.some((l) => l.includes(id) && l.includes('internal detail 42') && l.includes('stack'))).toBe(true);
    } finally {
      await g.close();
    }
  });
});
