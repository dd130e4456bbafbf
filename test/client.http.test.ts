/**
 * The client's HTTP behaviour against a scripted server on a real socket: timeouts, retries
 * (reads recover, creates are never repeated), Retry-After, AbortSignal, typed errors,
 * project-JWT reuse, paging iterators, and that no credential ever leaks.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  createOpenTokClient,
  parseRetryAfter,
  OpenTokAuthError,
  OpenTokError,
  OpenTokInvalidRequestError,
  OpenTokNotFoundError,
  OpenTokRateLimitError,
  OpenTokUnavailableError,
  OpenTokUnexpectedResponseError,
  OpenTokValidationError,
  type OpenTokClientConfig,
} from '../src/client/index.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const API_KEY = '4567';
const SECRET = 'top-secret-value-that-must-never-leak-1b2c3d';
const JSON_HEADERS = { 'content-type': 'application/json' };
const SESSION = '1_MX40NTY3fn5GcmkgRGVjIDA0IDIwOjAwOjAwIFVUQyAyMDI2fjAuNX4';

const archiveJson = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  status: 'started',
  name: null,
  reason: '',
  sessionId: SESSION,
  projectId: Number(API_KEY),
  createdAt: 1_700_000_000_000,
  size: 0,
  duration: 0,
  outputMode: 'composed',
  hasAudio: true,
  hasVideo: true,
  streamMode: 'auto',
  url: null,
  ...extra,
});
const ok = (body: unknown, status = 200) => ({ status, headers: JSON_HEADERS, body: JSON.stringify(body) });

let server: FixtureServer;
const client = (overrides: Partial<OpenTokClientConfig> = {}) =>
  createOpenTokClient({ apiKey: API_KEY, apiSecret: SECRET, apiUrl: server.url, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...overrides } as OpenTokClientConfig);

async function failure(promise: Promise<unknown>): Promise<OpenTokError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the call to fail');
  return outcome as OpenTokError;
}

beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

describe('timeouts', () => {
  it('gives up on a server that never answers, after the per-attempt timeout', async () => {
    server.script({ action: 'hang' });
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 150 }).startArchive(SESSION));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(OpenTokUnavailableError);
    expect((error as OpenTokUnavailableError).reason).toBe('timeout');
    expect(error.operation).toBe('startArchive');
    expect(error.message).toContain('timed out after 150 ms');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a body that stalls after the headers', async () => {
    server.script({ action: 'stall-body', status: 200, headers: JSON_HEADERS });
    const error = await failure(client({ timeoutMs: 150, retry: { retries: 0 } }).getArchive('a1'));
    expect(error).toBeInstanceOf(OpenTokUnavailableError);
    expect((error as OpenTokUnavailableError).reason).toBe('timeout');
  });

  it('retries a GET that timed out, each attempt with its own deadline', async () => {
    server.script({ action: 'hang' }, ok(archiveJson('a1')));
    const archive = await client({ timeoutMs: 150 }).getArchive('a1');
    expect(archive.id).toBe('a1');
    expect(server.requests).toHaveLength(2);
  });
});

describe('retries', () => {
  it('a GET recovers after a 503', async () => {
    server.script({ status: 503, body: '' }, ok(archiveJson('a1')));
    await expect(client().getArchive('a1')).resolves.toMatchObject({ id: 'a1', projectId: API_KEY });
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('a GET recovers after a dropped connection', async () => {
    server.script({ action: 'drop' }, ok({ count: 1, items: [{ id: 's1', videoType: 'screen', name: 'n', layoutClassList: ['full'] }] }));
    const page = await client().listStreams(SESSION);
    expect(page).toEqual({ totalCount: 1, items: [{ id: 's1', videoType: 'screen', name: 'n', layoutClassList: ['full'] }] });
    expect(server.requests).toHaveLength(2);
  });

  it('a GET waits for Retry-After after a 429', async () => {
    server.script({ status: 429, headers: { 'retry-after': '1', ...JSON_HEADERS }, body: '{"message":"slow down"}' }, ok(archiveJson('a1')));
    await client({ retry: { baseDelayMs: 1, maxDelayMs: 5_000 } }).getArchive('a1');
    expect(server.requests).toHaveLength(2);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
  });

  it('caps Retry-After at maxDelayMs', async () => {
    server.script({ status: 429, headers: { 'retry-after': '30' }, body: '' }, ok(archiveJson('a1')));
    await client({ retry: { baseDelayMs: 1, maxDelayMs: 100 } }).getArchive('a1');
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(90);
    expect(gap).toBeLessThan(1_000);
  });

  it('PUT and DELETE are retried too', async () => {
    server.script({ status: 500, body: '' }, { status: 200, body: '' }, { status: 502, body: '' }, { status: 204, body: null });
    await client().setArchiveLayout('a1', { type: 'pip' });
    await client().deleteArchive('a1');
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'DELETE', 'DELETE']);
  });

  it('a POST that starts an archive is attempted exactly once on a 503', async () => {
    server.script({ status: 503, headers: JSON_HEADERS, body: '{"code":503,"message":"busy"}' }, ok(archiveJson('a2')));
    const error = await failure(client({ retry: { retries: 5, baseDelayMs: 1 } }).startArchive(SESSION, { name: 'once' }));
    expect(error).toBeInstanceOf(OpenTokUnavailableError);
    expect(error).toMatchObject({ status: 503, serverMessage: 'busy', operation: 'startArchive', reason: 'server-error' });
    expect(server.requests).toHaveLength(1);
  });

  it('creates are not repeated after a dropped connection or a timeout either', async () => {
    server.script({ action: 'drop' }, { action: 'hang' }, ok({ id: 'x' }), ok({ id: 'x' }));
    const c = client({ timeoutMs: 150, retry: { retries: 5, baseDelayMs: 1 } });
    const dropped = await failure(c.startBroadcast(SESSION, { outputs: { hls: {} } }));
    expect(dropped).toMatchObject({ reason: 'network', operation: 'startBroadcast' });
    const hung = await failure(c.dialSip(SESSION, 'token', { uri: 'sip:a@b.example' }));
    expect(hung).toMatchObject({ reason: 'timeout', operation: 'dialSip' });
    expect(server.requests).toHaveLength(2);
  });

  it('PATCH is not retried', async () => {
    server.script({ status: 500, body: '' }, { status: 204, body: null });
    await expect(client().addArchiveStream('a1', 's1')).rejects.toBeInstanceOf(OpenTokUnavailableError);
    expect(server.requests).toHaveLength(1);
  });

  it('stops after the configured number of retries and reports the last status', async () => {
    server.script({ status: 503, body: '' }, { status: 503, body: '' }, { status: 503, body: '' }, ok(archiveJson('a1')));
    const error = await failure(client({ retry: { retries: 2, baseDelayMs: 1 } }).getArchive('a1'));
    expect(error.status).toBe(503);
    expect(server.requests).toHaveLength(3);
  });

  it('a 429 that outlasts the retries becomes a rate-limit error with the server delay', async () => {
    server.script({ status: 429, headers: { 'retry-after': '0' }, body: '' }, { status: 429, headers: { 'retry-after': '2' }, body: '' });
    const error = await failure(client({ retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 10 } }).listArchives());
    expect(error).toBeInstanceOf(OpenTokRateLimitError);
    expect((error as OpenTokRateLimitError).retryAfterMs).toBe(2_000);
  });

  it('4xx answers are never retried', async () => {
    server.script({ status: 404, headers: JSON_HEADERS, body: '{"message":"Not found. You passed in an invalid archive ID."}' });
    const error = await failure(client().getArchive('nope'));
    expect(error).toBeInstanceOf(OpenTokNotFoundError);
    expect(error.serverMessage).toBe('Not found. You passed in an invalid archive ID.');
    expect(error.message).toBe('getArchive failed with HTTP 404: Not found. You passed in an invalid archive ID.');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a server that cannot be reached as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(client({ apiUrl: `http://127.0.0.1:${port}`, retry: { retries: 1, baseDelayMs: 1 } }).getArchive('a1'));
    expect(error).toBeInstanceOf(OpenTokUnavailableError);
    expect((error as OpenTokUnavailableError).reason).toBe('network');
  });
});

describe('back-off arithmetic', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 11, 4, 20, 0, 0);
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter(new Date(now + 4_000).toUTCString(), now)).toBe(4_000);
    expect(parseRetryAfter(new Date(now - 4_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('doubles the delay per attempt, with jitter in the upper half, capped', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, policy, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
  });
});

describe('AbortSignal', () => {
  it('aborts a request in flight', async () => {
    server.script({ action: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await client().getArchive('a1', { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('aborts while waiting to retry, without another attempt', async () => {
    server.script({ status: 503, body: '' }, ok(archiveJson('a1')));
    const controller = new AbortController();
    const pending = client({ retry: { retries: 3, baseDelayMs: 2_000, maxDelayMs: 2_000 } }).getArchive('a1', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 100);
    await expect(pending).rejects.toThrow('caller gave up');
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const error = await client().listArchives({}, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(0);
  });
});

describe('responses', () => {
  it('an unexpected 2xx status is an unexpected-response error', async () => {
    server.script({ status: 204, body: null });
    const error = await failure(client().startArchive(SESSION));
    expect(error).toBeInstanceOf(OpenTokUnexpectedResponseError);
    expect(error).toMatchObject({ status: 204, operation: 'startArchive' });
  });

  it('a success body that is not JSON, or lacks the id, is an unexpected-response error', async () => {
    server.script({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>proxy</html>' }, ok({ status: 'started' }));
    await expect(client().getArchive('a1')).rejects.toBeInstanceOf(OpenTokUnexpectedResponseError);
    await expect(client().getArchive('a1')).rejects.toThrow(/missing id/);
  });

  it('reads the message of an XML error body', async () => {
    server.script({
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><errorPayload><code>-1</code><message>Issuer not found &amp; rejected</message></errorPayload>',
    });
    const error = await failure(client().listArchives());
    expect(error).toBeInstanceOf(OpenTokAuthError);
    expect(error.serverMessage).toBe('Issuer not found & rejected');
  });

  it('maps 405 and 408 to invalid-request errors', async () => {
    server.script({ status: 405, body: '' }, { status: 408, body: '' });
    await expect(client().removeArchiveStream('a1', 's1')).rejects.toBeInstanceOf(OpenTokInvalidRequestError);
    await expect(client({ retry: { retries: 0 } }).getStream(SESSION, 'bad')).rejects.toBeInstanceOf(OpenTokInvalidRequestError);
  });

  it('does not follow a redirect with the project JWT attached', async () => {
    server.script({ status: 302, headers: { location: `${server.url}/elsewhere` }, body: '' }, ok(archiveJson('a1')));
    const error = await failure(client().getArchive('a1'));
    expect(error).toBeInstanceOf(OpenTokUnexpectedResponseError);
    expect(error.status).toBe(302);
    expect(server.requests).toHaveLength(1);
  });

  it('parses the XML form of a created session', async () => {
    server.script({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sessions><Session><session_id>${SESSION}</session_id><partner_id>${API_KEY}</partner_id><create_dt>Fri Dec 04 20:00:00 UTC 2026</create_dt></Session></sessions>`,
    });
    const session = await client().createSession({ mediaMode: 'relayed', location: '10.0.0.1' });
    expect(session).toEqual({ sessionId: SESSION, mediaMode: 'relayed', archiveMode: 'manual', location: '10.0.0.1', e2ee: false, createDt: 'Fri Dec 04 20:00:00 UTC 2026' });
    expect(Object.fromEntries(new URLSearchParams(server.requests[0]!.body))).toEqual({ 'p2p.preference': 'enabled', archiveMode: 'manual', location: '10.0.0.1' });
  });

  it('validation failures send nothing and reject (not throw)', async () => {
    const promise = client().startArchive(SESSION, { hasAudio: false, hasVideo: false });
    expect(promise).toBeInstanceOf(Promise);
    await expect(promise).rejects.toBeInstanceOf(OpenTokValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('uses the configured user agent and fetch', async () => {
    const seen: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    server.script(ok(archiveJson('a1')));
    await client({ userAgent: 'my-app/2.0', fetch: countingFetch }).getArchive('a1');
    expect(server.requests[0]!.headers['user-agent']).toBe('my-app/2.0');
    expect(seen).toEqual([`${server.url}/v2/project/${API_KEY}/archive/a1`]);
  });
});

describe('project JWT reuse', () => {
  it('reuses one JWT across requests, shares it between concurrent callers, and re-signs near expiry', async () => {
    let now = Date.UTC(2026, 11, 4, 20, 0, 0);
    const c = createOpenTokClient({ apiKey: API_KEY, apiSecret: SECRET, apiUrl: server.url }, { auth: { now: () => now } });
    for (let i = 0; i < 8; i += 1) server.script(ok(archiveJson(`a${i}`)));
    await c.getArchive('a0');
    await Promise.all([c.getArchive('a1'), c.getArchive('a2'), c.getArchive('a3'), c.getArchive('a4')]);
    const tokens = new Set(server.requests.map((r) => r.headers['x-opentok-auth']));
    expect(tokens.size).toBe(1);
    const first = decodeJwt(String([...tokens][0]));
    expect(first.exp! - first.iat!).toBe(300);

    now += 230_000; // 70 s left: still reused
    await c.getArchive('a5');
    expect(server.requests[5]!.headers['x-opentok-auth']).toBe(server.requests[0]!.headers['x-opentok-auth']);
    now += 20_000; // 50 s left: inside the 60 s margin, re-signed
    await c.getArchive('a6');
    const renewed = decodeJwt(String(server.requests[6]!.headers['x-opentok-auth']));
    expect(renewed.iat).toBe(first.iat! + 250);
    expect(renewed.jti).not.toBe(first.jti);
  });

  it('signs an RS256 bearer token in Vonage mode and reuses it', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const c = createOpenTokClient({ applicationId: 'app-1', privateKey, apiUrl: server.url });
    server.script(ok(archiveJson('a1')), ok(archiveJson('a2')));
    await c.getArchive('a1');
    await c.getArchive('a2');
    const [a, b] = server.requests.map((r) => String(r.headers.authorization));
    expect(a).toBe(b);
    expect(server.requests[0]!.path).toBe('/v2/project/app-1/archive/a1');
    expect(decodeJwt(a!.replace('Bearer ', ''))).toMatchObject({ application_id: 'app-1' });
  });
});

describe('paging iterators', () => {
  function scriptPages(total: number, pageSize: number, make: (i: number) => Record<string, unknown>, claimedTotal = total): void {
    for (let offset = 0; offset < total || offset === 0; offset += pageSize) {
      const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - offset)) }, (_, i) => make(offset + i));
      server.script(ok({ count: claimedTotal, items }));
      if (total === 0) break;
    }
  }

  it('pages through every archive of a session with offset/count', async () => {
    scriptPages(250, 100, (i) => archiveJson(`a${i}`));
    const ids: string[] = [];
    for await (const archive of client().iterateArchives({ pageSize: 100, sessionId: SESSION })) ids.push(archive.id);
    expect(ids).toHaveLength(250);
    expect(ids[249]).toBe('a249');
    expect(server.requests.map((r) => r.query.toString())).toEqual([
      `offset=0&count=100&sessionId=${SESSION}`,
      `offset=100&count=100&sessionId=${SESSION}`,
      `offset=200&count=100&sessionId=${SESSION}`,
    ]);
  });

  it('stops on a short page even when the total says there is more', async () => {
    scriptPages(30, 20, (i) => ({ id: `b${i}`, status: 'started', sessionId: SESSION, projectId: 1, createdAt: 1 }), 1_000);
    const ids: string[] = [];
    for await (const broadcast of client().iterateBroadcasts({ pageSize: 20 })) ids.push(broadcast.id);
    expect(ids).toHaveLength(30);
    expect(server.requests).toHaveLength(2);
  });

  it('stops when the total is reached without asking for an empty page', async () => {
    scriptPages(4, 2, (i) => ({ id: `r${i}`, status: 'started', sessionId: SESSION, url: 'https://example.com/x', createdAt: 1 }));
    const ids: string[] = [];
    for await (const render of client().iterateRenders({ pageSize: 2 })) ids.push(render.id);
    expect(ids).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(server.requests).toHaveLength(2);
  });

  it('yields nothing for an empty list, and validates pageSize on first use', async () => {
    server.script(ok({ count: 0, items: [] }));
    const all: unknown[] = [];
    for await (const a of client().iterateArchives()) all.push(a);
    expect(all).toEqual([]);
    expect(server.requests[0]!.query.get('count')).toBe('100');
    const iterator = client().iterateArchives({ pageSize: 0 })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ field: 'pageSize' });
  });
});

describe('secret hygiene', () => {
  const { privateKey: PEM } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const pemBody = PEM.split('\n')[1]!;

  const views = (value: unknown): string[] => [
    JSON.stringify(value) ?? '',
    inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    String(value),
  ];

  it('the client never shows its secret or private key', () => {
    const opentok = client();
    const vonage = createOpenTokClient({ applicationId: 'app-1', privateKey: PEM, apiUrl: server.url });
    for (const view of [...views(opentok), ...views(vonage), JSON.stringify(Object.entries(opentok))]) {
      expect(view).not.toContain(SECRET);
      expect(view).not.toContain(pemBody);
    }
    expect(JSON.parse(JSON.stringify(opentok))).toMatchObject({ mode: 'opentok', projectId: API_KEY, credentials: '[redacted]' });
    expect(inspect(vonage)).toContain('[redacted]');
    const withUserInfo = createOpenTokClient({ apiKey: API_KEY, apiSecret: SECRET, apiUrl: 'https://proxyuser:proxypass@proxy.example.com' });
    expect(JSON.stringify(withUserInfo)).not.toContain('proxypass');
    expect(inspect(withUserInfo)).toContain('https://[redacted]@proxy.example.com');
  });

  it('errors of every kind never carry the secret', async () => {
    server.script({ status: 403, headers: JSON_HEADERS, body: '{"code":-1,"message":"Issuer not found"}' }, { action: 'hang' });
    const errors: unknown[] = [
      await failure(client().listArchives()),
      await failure(client({ timeoutMs: 100, retry: { retries: 0 } }).getArchive('a1')),
      await failure(client().startArchive(SESSION, { maxBitrate: 1 })),
      await failure(client({ apiUrl: 'http://127.0.0.1:1', retry: { retries: 0 } }).getArchive('a1')),
    ];
    for (const error of errors) {
      for (const view of views(error)) expect(view).not.toContain(SECRET);
    }
    expect(() => createOpenTokClient({ applicationId: 'x', privateKey: `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----` })).toThrow(
      /^privateKey is not a valid PEM private key$/,
    );
    expect(() => createOpenTokClient({ apiKey: '', apiSecret: SECRET })).toThrow(/^apiKey must be a non-empty string$/);
  });
});
