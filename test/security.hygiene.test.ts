/**
 * Secret hygiene: every response (bodies and headers) and every log line of a run that goes
 * through successes, refusals, upstream failures, unexpected errors, callbacks and start-up
 * errors is captured, and none contains the API secret, a private key, the callers' bearer
 * tokens, the HS256 secret or a callback secret.
 */
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTokClient } from '../src/client/index.js';
import type { OpenTokClient } from '../src/client/types.js';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { ConfigError, loadConfig } from '../src/server/config.js';
import { createGateway, type Gateway } from '../src/server/gateway.js';
import { createLogger } from '../src/server/log.js';
import { hsToken, HS_SECRET, jwtAuth } from './support/auth.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CALLBACK_SECRET = 'hygiene-callback-secret';
const PATH_SECRET = 'hygiene-path-secret-0123456789';
const BASIC = 'opentok:hygiene-basic-password';

const captured: string[] = [];
const bearers: string[] = [];
let emulator: RunningEmulator;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  emulator = await startEmulator({ callbackSecret: CALLBACK_SECRET });
  const client = createOpenTokClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, apiUrl: emulator.url, retry: { retries: 0 } });
  // A client whose listArchives fails unexpectedly, and one with the wrong secret, share the log.
  const flaky: OpenTokClient = Object.create(client, { listRenders: { value: () => Promise.reject(new Error("boom")) } });
  gateway = createGateway({
    client: flaky,
    auth: jwtAuth({ kind: 'hs256', secret: HS_SECRET }),
    log: createLogger('debug', (line) => captured.push(line)),
    callbackSecret: CALLBACK_SECRET,
    security: { callbackAuth: { pathSecret: PATH_SECRET, basicAuth: BASIC, allowUnauthenticated: false }, rateLimit: { max: 1000, windowMs: 60_000, trustProxy: false } },
  });
  url = await gateway.listen(0, '127.0.0.1');
  emulator.setCallbackUrl(`${url}/webhooks/opentok`);
});
afterAll(async () => {
  await gateway?.close();
  await emulator?.close();
});

async function capture(response: Response): Promise<Response> {
  captured.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.clone().text()}`);
  return response;
}

async function gql(query: string, bearer?: string, variables?: Record<string, unknown>) {
  const response = await capture(await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify({ query, variables }) }));
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

const tokenFor = async (claims: Record<string, unknown> = {}, options: Parameters<typeof hsToken>[1] = {}) => {
  const token = await hsToken(claims, options);
  bearers.push(token);
  return token;
};

describe('secret hygiene', () => {
  it('no response, log line or start-up message carries a secret or a bearer token', async () => {
    const good = await tokenFor();
    // Successes.
    const sid = (await gql('mutation { createSession(input: { mediaMode: ROUTED }) { id } }', good)).data.createSession.id as string;
    await gql('mutation($s: ID!) { generateToken(input: { sessionId: $s, role: MODERATOR }) { token } }', good, { s: sid });
    await gql('{ archives { totalCount } }', good);
    // Refusals: every kind of bad token, scope failures, limits, rate limit.
    await gql('{ archives { totalCount } }', await tokenFor({}, { secret: 'x'.repeat(40) }));
    await gql('{ archives { totalCount } }', await tokenFor({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }));
    await gql('{ archives { totalCount } }', await tokenFor({}, { issuer: 'https://evil.example.com' }));
    await gql('{ archives { totalCount } }', `${good}x`);
    bearers.push(`${good}x`);
    await gql('mutation { createSession { id } }', await tokenFor({ scope: 'video:read' }));
    await gql('query($s: ID!) { streams(sessionId: $s) { id } }', await tokenFor({ sessions: ['1_other'] }), { s: sid });
    await gql(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: archives { totalCount }`).join(' ')} }`, good);
    // Upstream failures and an unexpected error.
    await gql('{ renders { totalCount } }', good);
    await gql('mutation { stopArchive(id: "00000000-0000-0000-0000-000000000000") { id } }', good);
    await gql('mutation($s: ID!) { sendSignal(sessionId: $s, data: "hi") { sessionId } }', good, { s: sid });
    // Callbacks: refused ones (bad signature, wrong path secret, wrong basic auth) and accepted ones.
    const body = JSON.stringify({ sessionId: sid, event: 'connectionCreated', timestamp: Date.now(), connection: { id: randomUUID() } });
    const signature = await new SignJWT({ payload_hash: createHash('sha256').update(body).digest('hex') }).setProtectedHeader({ alg: 'HS256' }).setIssuer('Vonage').sign(new TextEncoder().encode(CALLBACK_SECRET));
    const forged = await new SignJWT({ payload_hash: 'x' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('Vonage').sign(new TextEncoder().encode('wrong'));
    bearers.push(signature, forged);
    const post = (path: string, authorization?: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body }).then(capture);
    await post('/webhooks/opentok', `Bearer ${forged}`);
    await post('/webhooks/opentok/not-the-secret-0000000');
    await post('/webhooks/opentok', `Basic ${Buffer.from('opentok:wrong').toString('base64')}`);
    await post('/webhooks/opentok', `Bearer ${signature}`);
    await post(`/webhooks/opentok/${PATH_SECRET}`);
    await post('/webhooks/opentok', `Basic ${Buffer.from(BASIC).toString('base64')}`);

    // Configuration errors never echo secrets.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const configs: Record<string, string>[] = [
      { OPENTOK_API_KEY: '4711', OPENTOK_API_SECRET: emulator.apiSecret },
      { OPENTOK_API_KEY: '4711', OPENTOK_API_SECRET: emulator.apiSecret, VONAGE_APPLICATION_ID: 'app', VONAGE_PRIVATE_KEY: privateKey },
      { VONAGE_APPLICATION_ID: 'app', VONAGE_PRIVATE_KEY: privateKey },
      { AUTH_HS256_SECRET: 'short-secret-value', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' },
      { AUTH_PUBLIC_KEY: privateKey, AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' },
      { OPENTOK_CALLBACK_BASIC_AUTH: 'user-without-password' },
    ];
    for (const env of configs) {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        captured.push((error as Error).message);
      }
    }
    // The start-up banner and log of a real-credentials start.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug', OPENTOK_API_KEY: emulator.apiKey, OPENTOK_API_SECRET: emulator.apiSecret, OPENTOK_API_URL: emulator.url, AUTH_HS256_SECRET: HS_SECRET, AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a', OPENTOK_CALLBACK_SECRET: CALLBACK_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 30_000;
    while (!/GraphiQL: /.test(output) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    captured.push(output);
    expect(output).toMatch(/GraphiQL: /);

    const secrets: [string, string][] = [
      ['API secret', emulator.apiSecret],
      ['HS256 secret', HS_SECRET],
      ['callback signature secret', CALLBACK_SECRET],
      ['callback path secret', PATH_SECRET],
      ['callback basic auth', BASIC],
      ['callback basic auth (base64)', Buffer.from(BASIC).toString('base64')],
      ['private key', privateKey.split('\n')[5]!],
      ...bearers.map((b, i): [string, string] => [`bearer token #${i}`, b]),
    ];
    const everything = captured.join('\n');
    expect(captured.length).toBeGreaterThan(30);
    for (const [name, secret] of secrets) {
      const at = everything.indexOf(secret);
      expect(at, `${name} leaked: …${everything.slice(Math.max(0, at - 300), at + 100)}…`).toBe(-1);
    }
  }, 60_000);
});
