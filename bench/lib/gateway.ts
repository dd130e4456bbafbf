/**
 * Our gateway as a measured process: `node --import tsx src/server/main.ts`
 * (what `npm start` runs, minus the npm and tsx-CLI wrapper processes, so the
 * PID we pin, profile and read /proc for is the gateway itself).
 */
import { graphqlOk } from './graphql.js';
import { NODE, freePort, spawnProc, waitFor, type Proc } from './proc.js';

export interface Gateway {
  url: string;
  proc: Proc;
}

export const ARCHIVES_QUERY = '{ archives(offset: 0, count: 50) { totalCount items { id status } } }';

/**
 * Our env minus anything that would point the gateway at other credentials or
 * turn caller authentication on. Set to '' rather than deleted: the gateway
 * also reads ./.env, real variables win over it, and it treats '' as unset.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(OPENTOK_|VONAGE_|GATEWAY_JWT_|AUTH_|RATE_LIMIT_|PORT$|HOST$|LOG_LEVEL$)/.test(k)) env[k] = v;
  }
  // The bench measures the gateway's own path, like the peer's: no caller
  // authentication, and no rate limit (every load request comes from one IP,
  // and the default of 300 operations a minute would turn the run into 429s).
  env.AUTH_MODE = 'none';
  env.RATE_LIMIT_MAX = '0';
  for (const k of [
    'AUTH_JWKS_URL',
    'AUTH_PUBLIC_KEY',
    'AUTH_PUBLIC_KEY_PATH',
    'AUTH_HS256_SECRET',
    'PERSISTED_OPERATIONS_PATH',
    'REDIS_URL',
    'OPENTOK_API_KEY',
    'OPENTOK_API_SECRET',
    'OPENTOK_API_URL',
    'VONAGE_APPLICATION_ID',
    'VONAGE_PRIVATE_KEY',
    'VONAGE_PRIVATE_KEY_PATH',
    'GATEWAY_JWT_SECRET',
  ]) {
    env[k] = '';
  }
  return env;
}

export async function startGateway(
  upstream: { url: string; apiKey: string; apiSecret: string },
  options: { core?: number; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Gateway> {
  const port = await freePort();
  const proc = spawnProc('gateway', NODE, [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/server/main.ts'], {
    env: {
      ...cleanEnv(),
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      OPENTOK_API_KEY: upstream.apiKey,
      OPENTOK_API_SECRET: upstream.apiSecret,
      OPENTOK_API_URL: upstream.url,
      ...options.env,
    },
    ...(options.core === undefined ? {} : { core: options.core }),
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitFor('gateway', async () => {
    await graphqlOk(url, ARCHIVES_QUERY);
    return true;
  }, { proc, timeoutMs: 60_000 });
  return { url, proc };
}

/**
 * The variable that turns the response cache on for `npm start`, as the
 * gateway documents it in `--help` (a name with CACHE in it), with a value
 * that enables it for a minute. Undefined when the gateway offers none.
 */
export async function responseCacheVariable(): Promise<{ name: string; value: string; help: string } | undefined> {
  const proc = spawnProc('gateway --help', NODE, ['--import', 'tsx', 'src/server/main.ts', '--help'], { env: cleanEnv() });
  let out = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await proc.exited;
  for (const line of out.split('\n')) {
    const m = /^\s+([A-Z][A-Z0-9_]*CACHE[A-Z0-9_]*)\s+(.+)$/.exec(line);
    if (!m) continue;
    const [, name = '', help = ''] = m;
    if (/_MS$/.test(name) || /\bms\b|milliseconds/i.test(help)) return { name, value: '60000', help };
    if (/_S$|_SECONDS$/.test(name) || /\bseconds\b/i.test(help)) return { name, value: '60', help };
    if (/true|false/i.test(help)) return { name, value: 'true', help };
  }
  return undefined;
}
