/**
 * GraphiQL served entirely by the gateway: yoga's page loads its assets from a CDN, which
 * fails offline and on locked-down networks, so we serve the same build (the
 * `@graphql-yoga/graphiql` package, pinned) from `/graphiql/*`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'graphql-yoga';

export const GRAPHIQL_ASSETS_PATH = '/graphiql/';

const ASSETS: Record<string, string> = {
  'graphiql.css': 'text/css; charset=utf-8',
  'yoga-graphiql.umd.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/editor.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/json.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/graphql.worker..bundle.js': 'text/javascript; charset=utf-8',
};

const distDir = dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql'));

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The GraphiQL page: yoga's own markup, pointing at our copies of the assets. */
export function renderGraphiQLPage(options: Record<string, unknown> & { title?: string }): string {
  const title = escapeHtml(options.title ?? 'GraphiQL');
  const asset = (file: string) => `${GRAPHIQL_ASSETS_PATH}${file}`;
  // JSON inside <script>: escape `<` so a `</script>` in an option cannot end the element.
  // This GraphiQL build opens with `query`; yoga's option is `defaultQuery`.
  const opts = JSON.stringify({ ...options, query: options.query ?? options.defaultQuery }).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="${asset('graphiql.css')}"></head>
<body id="body" class="no-focus-outline"><noscript>You need to enable JavaScript to run GraphiQL.</noscript><div id="root">Loading ${title}…</div>
<script>
function prepareBlob(source) { return URL.createObjectURL(new Blob([source], { type: 'application/javascript' })); }
const workers = {};
const workerUrls = {
  editorWorkerService: ${JSON.stringify(asset('monacoeditorwork/editor.worker.bundle.js'))},
  json: ${JSON.stringify(asset('monacoeditorwork/json.worker.bundle.js'))},
  graphql: ${JSON.stringify(asset('monacoeditorwork/graphql.worker..bundle.js'))},
};
function prepareWorkers() {
  return Promise.all(Object.entries(workerUrls).map(async ([label, url]) => { workers[label] = prepareBlob(await (await fetch(url)).text()); }));
}
self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_moduleId, label) => workers[label] };
</script>
<script src="${asset('yoga-graphiql.umd.js')}"></script>
<script>prepareWorkers().finally(() => { YogaGraphiQL.renderYogaGraphiQL(root, ${opts}); });</script>
</body></html>`;
}

/** GET /graphiql/<asset>: the GraphiQL build, cached by browsers for a day. */
export function graphiqlAssetsPlugin(): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      const file = url.pathname.slice(GRAPHIQL_ASSETS_PATH.length);
      const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (type === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
        endResponse(new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } }));
        return;
      }
      const body = await readFile(join(distDir, file));
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
          status: 200,
          headers: { 'content-type': type, 'cache-control': 'public, max-age=86400', 'content-length': String(body.length) },
        }),
      );
    },
  };
}
