// GraphQL Mesh compose config for the row-6 peer: a gateway generated from the
// same OpenAPI description of the OpenTok REST API that our gateway hand-writes.
// Plain .mjs (not .ts) on purpose: the root tsconfig includes bench/, and these
// packages live only in bench/peers/node_modules, which a fresh clone lacks.
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

// shared/ sits beside the repo checkout (in CI too), so resolve it from here.
const spec =
  process.env.PEER_OPENAPI_SPEC ??
  fileURLToPath(new URL('../../../shared/opentok/openapi/video.yml', import.meta.url));

export const composeConfig = defineConfig({
  output: process.env.PEER_SUPERGRAPH ?? 'supergraph.graphql',
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('OpenTok', {
        source: spec,
        // Left as an env placeholder so one composed supergraph serves any
        // emulator port; the REST transport interpolates it per request.
        endpoint: '{env.OPENTOK_API_URL}',
      }),
    },
  ],
});
