/**
 * Start-up as users run it: the `npm start` entry (`tsx src/server/main.ts`) as a child process
 * with no credentials serves the seeded demo data; configuration is validated with clear
 * messages; `--help` lists the variables; SIGTERM shuts down cleanly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/index.js';
import { ConfigError, helpText, loadConfig, readEnvironment, VARIABLES } from '../src/server/config.js';
import { killSpawnedEntries, spawnEntry } from './support/process.js';

afterEach(killSpawnedEntries);

/** Runs the same entry as `npm start` (package.json: `tsx src/server/main.ts`). */
const start = spawnEntry;

describe('npm start', () => {
  it('with no credentials starts on the embedded emulator and serves the seeded archive', async () => {
    const run = start({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    const [, graphqlUrl] = await run.waitFor(/GraphiQL: (http:\/\/\S+)/);
    const { stdout } = run.output();
    expect(stdout).toMatch(/embedded OpenTok emulator at http:\/\/127\.0\.0\.1:\d+/);
    const archiveId = /archive ([0-9a-f-]{36}) \(available\)/.exec(stdout)![1]!;
    const sessionId = /session (\S+) with 2 publishers/.exec(stdout)![1]!;

    const response = await fetch(graphqlUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ archives(offset: 0, count: 10) { totalCount items { id status name duration session { id streams { id } activeBroadcast { status hls { url } rtmp { status } } } } } }' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { archives: { totalCount: number; items: Record<string, any>[] } } };
    expect(body.data.archives.totalCount).toBe(1);
    expect(body.data.archives.items[0]).toMatchObject({ id: archiveId, status: 'AVAILABLE', name: 'Demo recording', duration: 60, session: { id: sessionId, activeBroadcast: { status: 'STARTED' } } });
    expect(body.data.archives.items[0]!.session.streams).toHaveLength(2);

    // The emulator's callbacks reached the gateway's webhook route.
    const events = await fetch(graphqlUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ recentEvents(last: 50) { type status } }' }),
    }).then((r) => r.json() as Promise<{ data: { recentEvents: { type: string; status: string }[] } }>);
    expect(events.data.recentEvents).toContainEqual({ type: 'archive', status: 'available' });

    process.kill(run.child.pid!, 'SIGTERM');
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('with credentials talks to that API instead, and says so', async () => {
    const emulator = await startEmulator({ apiKey: '4711', apiSecret: 'a-project-secret' });
    try {
      const run = start({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', AUTH_MODE: 'none', OPENTOK_API_KEY: '4711', OPENTOK_API_SECRET: 'a-project-secret', OPENTOK_API_URL: emulator.url });
      const [, graphqlUrl] = await run.waitFor(/GraphiQL: (http:\/\/\S+)/);
      expect(run.output().stdout).toContain(`Upstream: the OpenTok API at ${emulator.url} (project 4711).`);
      expect(run.output().stdout).not.toContain('emulator');
      const created = await fetch(graphqlUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { createSession { id projectId } } ' }),
      }).then((r) => r.json() as Promise<{ data: { createSession: { id: string; projectId: string } } }>);
      expect(created.data.createSession.projectId).toBe('4711');
      process.kill(run.child.pid!, 'SIGINT');
      expect(await run.exited).toBe(0);
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('--help lists every variable and exits 0', async () => {
    const run = start({}, ['--help']);
    expect(await run.exited).toBe(0);
    for (const v of VARIABLES) expect(run.output().stdout).toContain(v.name);
  }, 30_000);

  it('refuses an incomplete configuration with a clear message and exit code 2', async () => {
    const run = start({ OPENTOK_API_KEY: '123456', PORT: 'eighty' });
    expect(await run.exited).toBe(2);
    const { stderr } = run.output();
    expect(stderr).toContain('OPENTOK_API_KEY is set but OPENTOK_API_SECRET is missing');
    expect(stderr).toContain('PORT must be a whole number');
    expect(stderr).toContain('--help');
  }, 30_000);
});

describe('configuration', () => {
  it('defaults to the emulator on port 4000', () => {
    expect(loadConfig({})).toMatchObject({ port: 4000, host: undefined, upstream: { kind: 'emulator' }, retries: 2, timeoutMs: 10_000, logLevel: 'info', graphiql: true, seedDemo: true });
  });

  it('chooses OpenTok or Vonage from the credentials given', () => {
    expect(loadConfig({ AUTH_MODE: 'none', OPENTOK_API_KEY: '123456', OPENTOK_API_SECRET: 's', OPENTOK_API_URL: 'https://api.example.com/' }).upstream).toEqual({
      kind: 'opentok', apiKey: '123456', apiSecret: 's', apiUrl: 'https://api.example.com',
    });
    const pem = '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----';
    expect(loadConfig({ AUTH_MODE: 'none', VONAGE_APPLICATION_ID: 'app', VONAGE_PRIVATE_KEY: pem }).upstream).toMatchObject({ kind: 'vonage', applicationId: 'app', privateKey: pem.replace(/\\n/g, '\n') });
    expect(loadConfig({ AUTH_MODE: 'none', VONAGE_APPLICATION_ID: 'app', VONAGE_PRIVATE_KEY_PATH: '/k.pem' }, () => pem).upstream).toMatchObject({ kind: 'vonage' });
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ OPENTOK_API_SECRET: 's', VONAGE_APPLICATION_ID: 'a', LOG_LEVEL: 'loud', GRAPHIQL: 'maybe', OPENTOK_API_URL: 'ftp://x' });
      expect.fail('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'OPENTOK_API_URL must be an http:// or https:// URL; got "ftp://x"',
        'GRAPHIQL must be true or false; got "maybe"',
        'LOG_LEVEL must be one of silent, error, warn, info, debug; got "loud"',
        'Set either OPENTOK_API_KEY/OPENTOK_API_SECRET or VONAGE_APPLICATION_ID/VONAGE_PRIVATE_KEY, not both',
      ]);
    }
  });

  it('reads .env, with real environment variables taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-env-'));
    try {
      writeFileSync(join(dir, '.env'), '# comment\nPORT=5050\nexport LOG_LEVEL="debug" \nGATEWAY_TEST_ONLY=from-file # trailing\n');
      process.env.GATEWAY_TEST_ONLY_REAL = 'real';
      const env = readEnvironment(dir);
      expect(env.PORT).toBe(process.env.PORT ?? '5050');
      expect(env.GATEWAY_TEST_ONLY).toBe('from-file');
      expect(env.GATEWAY_TEST_ONLY_REAL).toBe('real');
      expect(env.LOG_LEVEL).toBe(process.env.LOG_LEVEL ?? 'debug');
    } finally {
      delete process.env.GATEWAY_TEST_ONLY_REAL;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help text explains the emulator default', () => {
    expect(helpText()).toMatch(/With no credentials, the gateway starts an embedded OpenTok emulator/);
  });
});
