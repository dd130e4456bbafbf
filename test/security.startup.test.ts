/**
 * Start-up modes, as users run them (`tsx src/server/main.ts`, the `npm start` entry):
 * - embedded emulator, no auth settings → open, says so loudly, prints a dev token with every scope;
 * - real credentials without auth settings → refuses to start;
 * - real credentials with AUTH_MODE=none → starts open, says so loudly;
 * - auth configured → tokens required.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/index.js';
import { helpText } from '../src/server/config.js';
import { SECURITY_VARIABLES } from '../src/server/security-config.js';
import { hsToken, HS_SECRET, ISSUER, AUDIENCE } from './support/auth.js';
import { killSpawnedEntries, spawnEntry } from './support/process.js';

afterEach(killSpawnedEntries);

const start = (env: Record<string, string>) => spawnEntry({ PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', ...env });

const gql = async (url: string, query: string, bearer?: string) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { extensions: { code: string } }[] } };
};

describe('start-up modes', () => {
  it('embedded emulator without auth settings: open, loudly, with a dev token that works', async () => {
    const run = start({ LOG_LEVEL: 'warn' });
    const [, graphqlUrl] = await run.waitFor(/GraphiQL: (http:\/\/\S+)/);
    const { stdout, stderr } = run.output();
    expect(stdout).toMatch(/OPEN GATEWAY: no auth settings and the embedded emulator/);
    expect(stderr).toMatch(/caller authentication is OFF/);
    const [, devToken] = /\{"Authorization": "Bearer ([^"]+)"\}/.exec(stdout)!;
    const [, payload] = devToken!.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString()).scope).toBe('video:read video:write video:moderate token:publish');

    expect((await gql(graphqlUrl!, '{ archives { totalCount } }')).status).toBe(200);
    const created = await gql(graphqlUrl!, 'mutation { createSession { id } }', devToken);
    expect(created.body.data.createSession.id).toMatch(/^1_/);
    // A presented token is checked even in open mode: a forged one is refused.
    expect((await gql(graphqlUrl!, '{ archives { totalCount } }', await hsToken({}, { issuer: 'opentok-gateway-dev', audience: 'opentok-gateway' }))).status).toBe(401);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('real credentials without auth settings: refuses to start and says what to set', async () => {
    const run = start({ OPENTOK_API_KEY: '4711', OPENTOK_API_SECRET: 'a-project-secret' });
    expect(await run.exited).toBe(2);
    const { stdout, stderr } = run.output();
    expect(stdout).toBe('');
    expect(stderr).toMatch(/no caller authentication is: set AUTH_JWKS_URL, AUTH_PUBLIC_KEY\(_PATH\) or AUTH_HS256_SECRET/);
    expect(stderr).toMatch(/AUTH_MODE=none/);
    expect(stderr).not.toContain('a-project-secret');
  });

  it('real credentials with AUTH_MODE=none: starts open, loudly, without a dev token', async () => {
    const emulator = await startEmulator();
    try {
      const run = start({ OPENTOK_API_KEY: emulator.apiKey, OPENTOK_API_SECRET: emulator.apiSecret, OPENTOK_API_URL: emulator.url, AUTH_MODE: 'none', LOG_LEVEL: 'warn' });
      const [, graphqlUrl] = await run.waitFor(/GraphiQL: (http:\/\/\S+)/);
      const { stdout } = run.output();
      expect(stdout).toMatch(/OPEN GATEWAY: AUTH_MODE=none/);
      expect(stdout).not.toMatch(/Dev token/);
      expect((await gql(graphqlUrl!, '{ archives { totalCount } }')).status).toBe(200);
      run.child.kill('SIGTERM');
      await run.exited;
    } finally {
      await emulator.close();
    }
  });

  it('with an auth key: tokens required, no open warning, no dev token', async () => {
    const run = start({ AUTH_HS256_SECRET: HS_SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, LOG_LEVEL: 'warn' });
    const [, graphqlUrl] = await run.waitFor(/GraphiQL: (http:\/\/\S+)/);
    const { stdout } = run.output();
    expect(stdout).toMatch(/Callers must send Authorization: Bearer <JWT>/);
    expect(stdout).not.toMatch(/OPEN GATEWAY|Dev token/);
    expect((await gql(graphqlUrl!, '{ archives { totalCount } }')).status).toBe(401);
    expect((await gql(graphqlUrl!, '{ archives { totalCount } }', await hsToken())).status).toBe(200);
    run.child.kill('SIGTERM');
    await run.exited;
  });

  it('--help lists every security variable', () => {
    const help = helpText();
    for (const v of SECURITY_VARIABLES) expect(help).toContain(v.name);
    expect(help).toContain('GATEWAY_JWT_SECRET');
    expect(help).toContain('OPENTOK_CALLBACK_SECRET');
  });
});
