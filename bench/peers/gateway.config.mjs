// Hive Gateway config for the row-6 peer. It serves the supergraph composed by
// mesh.config.mjs and signs every upstream REST call with an OpenTok project
// JWT, which is all the emulator (and the real API) needs to answer.
// Plain .mjs for the same reason as mesh.config.mjs: the root typecheck must
// not depend on bench/peers/node_modules being installed.
import { createHmac, randomUUID } from 'node:crypto';
import { defineConfig } from '@graphql-hive/gateway';

const apiKey = process.env.OPENTOK_API_KEY;
const apiSecret = process.env.OPENTOK_API_SECRET;
if (!apiKey || !apiSecret) {
  throw new Error('peer gateway: OPENTOK_API_KEY and OPENTOK_API_SECRET must be set');
}

const b64url = (value) => Buffer.from(value).toString('base64url');

// Reuse one token for two minutes (it lives five), as any sensible deployment
// would; minting per request would handicap the peer with HMAC work ours skips.
let cached = { token: '', renewAt: 0 };
function projectJwt() {
  const now = Math.floor(Date.now() / 1000);
  if (now < cached.renewAt) return cached.token;
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({ iss: apiKey, ist: 'project', iat: now, exp: now + 300, jti: randomUUID() }),
  );
  const signature = createHmac('sha256', apiSecret).update(`${header}.${payload}`).digest('base64url');
  cached = { token: `${header}.${payload}.${signature}`, renewAt: now + 120 };
  return cached.token;
}

export const gatewayConfig = defineConfig({
  supergraph: process.env.PEER_SUPERGRAPH ?? './supergraph.graphql',
  // Fair fight: ours has no GraphiQL landing cost on the hot path either, and
  // the peer's defaults (CORS, landing page) are left as they ship otherwise.
  plugins: () => [
    {
      onFetch({ options, setOptions }) {
        setOptions({
          ...options,
          headers: { ...options.headers, 'X-OPENTOK-AUTH': projectJwt() },
        });
      },
    },
  ],
});
