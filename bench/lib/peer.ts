/**
 * Row 6's peer: a GraphQL gateway generated from the OpenAPI description of the
 * same REST API (bench/peers: GraphQL Mesh compose → Hive Gateway). Composed
 * afresh on every run from ../shared/opentok/openapi/video.yml, so the table
 * always measures what the generator makes of the spec today.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphqlOk } from './graphql.js';
import { NODE, ROOT, freePort, spawnProc, waitFor, type Proc } from './proc.js';

const PEERS = join(ROOT, 'bench/peers');

export interface Peer {
  url: string;
  proc: Proc;
  supergraph: string;
}

export function peerInstalled(): boolean {
  return existsSync(join(PEERS, 'node_modules/@graphql-hive/gateway/dist/bin.js'));
}

/** The generated query equivalent to ours: archives list, first page of 50. */
export function peerArchivesQuery(apiKey: string, count = 50): string {
  return `{ get_v2_project_application_id_archive(application_id: "${apiKey}", offset: 0, count: ${count}) { ... on Multi_Archive_Response_response { count items { id status } } } }`;
}

export async function composePeer(): Promise<string> {
  const supergraph = join(mkdtempSync(join(tmpdir(), 'bench-peer-')), 'supergraph.graphql');
  const proc = spawnProc('mesh-compose', NODE, [join(PEERS, 'node_modules/@graphql-mesh/compose-cli/esm/bin.js'), '-c', 'mesh.config.mjs'], {
    cwd: PEERS,
    env: { ...process.env, PEER_SUPERGRAPH: supergraph },
  });
  const code = await proc.exited;
  if (code !== 0 || !existsSync(supergraph)) throw new Error(`mesh-compose failed (${code}):\n${proc.output()}`);
  return supergraph;
}

export async function startPeer(
  supergraph: string,
  upstream: { url: string; apiKey: string; apiSecret: string },
  core: number | undefined,
): Promise<Peer> {
  const port = await freePort();
  const proc = spawnProc(
    'peer',
    NODE,
    [join(PEERS, 'node_modules/@graphql-hive/gateway/dist/bin.js'), 'supergraph', supergraph, '-c', 'gateway.config.mjs', '-p', String(port), '-h', '127.0.0.1'],
    {
      cwd: PEERS,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        OPENTOK_API_URL: upstream.url,
        OPENTOK_API_KEY: upstream.apiKey,
        OPENTOK_API_SECRET: upstream.apiSecret,
      },
      ...(core === undefined ? {} : { core }),
    },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitFor('peer gateway', async () => {
    await graphqlOk(url, peerArchivesQuery(upstream.apiKey, 1));
    return true;
  }, { proc, timeoutMs: 60_000 });
  return { url, proc, supergraph };
}
