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
    if (!/^(OPENTOK_|VONAGE_|GATEWAY_JWT_|PORT$|HOST$)/.test(k)) env[k] = v;
  }
  for (const k of [
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
