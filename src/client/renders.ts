/** Experience Composer renders (API.md §5.9). */
import type { RenderStatus, Resolution } from './constants.js';
import { defined, optNumber, optString, projectIdOf, projectPath, reqString, requestJson, requestVoid, type RequestContext, type Wire } from './context.js';
import { objectParser, readOperations } from './resource.js';
import type { CallOptions, IterateOptions, ListOptions, Page, Render, StartRenderOptions } from './types.js';
import { validateId, validateStartRender } from './validation.js';

/** The JSON body of a start-render request. */
export function startRenderBody(options: StartRenderOptions): Record<string, unknown> {
  return defined({
    sessionId: options.sessionId,
    token: options.token,
    url: options.url,
    maxDuration: options.maxDuration,
    resolution: options.resolution,
    statusCallbackUrl: options.statusCallbackUrl,
    properties: options.name === undefined ? undefined : { name: options.name },
  });
}

/** Parses a render object from the wire. */
export function parseRender(wire: Wire, operation: string, fallbackProjectId = ''): Render {
  const properties = wire.properties !== null && typeof wire.properties === 'object' ? (wire.properties as Wire) : {};
  return {
    id: reqString(wire, operation, 'id'),
    sessionId: optString(wire, 'sessionId', 'session_id') ?? '',
    projectId: projectIdOf(wire, fallbackProjectId),
    createdAt: optNumber(wire, 'createdAt', 'created_at') ?? 0,
    updatedAt: optNumber(wire, 'updatedAt', 'updated_at'),
    url: optString(wire, 'url') ?? '',
    resolution: optString(wire, 'resolution') as Resolution | null,
    status: reqString(wire, operation, 'status') as RenderStatus,
    streamId: optString(wire, 'streamId', 'stream_id'),
    reason: optString(wire, 'reason'),
    name: optString(properties, 'name') ?? optString(wire, 'name'),
  };
}

// Renders cannot be listed by session: list and iterate never send a sessionId.
const reads = readOperations({
  resource: 'render',
  idName: 'renderId',
  parse: parseRender,
  sessionFilter: false,
  names: { get: 'getRender', list: 'listRenders', iterate: 'iterateRenders' },
});

/** Starts an Experience Composer render. Never retried: a retry could start a second render. */
export async function startRender(ctx: RequestContext, options: StartRenderOptions, call: CallOptions = {}): Promise<Render> {
  validateStartRender(options);
  return requestJson(
    ctx,
    // 202 per the API; the Vonage SDK's mock answers 200.
    { operation: 'startRender', method: 'POST', path: projectPath(ctx, 'render'), json: startRenderBody(options), expect: [202, 200], signal: call.signal },
    objectParser(ctx, parseRender),
  );
}

/** Fetches one render. GET render/{renderId} → 200. */
export const getRender = reads.get;

// The shared list and iterate types accept a sessionId filter; renders have none, so these exported types leave it out.

/** One page of renders with the total number of renders. GET render?offset&count → 200. */
export const listRenders: (ctx: RequestContext, options?: ListOptions, call?: CallOptions) => Promise<Page<Render>> = reads.list;

/** Every render, fetched page by page through listRenders. */
export const iterateRenders: (ctx: RequestContext, options?: Omit<IterateOptions, 'sessionId'>, call?: CallOptions) => AsyncGenerator<Render, void, undefined> = reads.iterate;

/** Stops a render. Unlike archives and broadcasts (POST …/stop, 200), a render stops with DELETE render/{id}, 204. */
export async function stopRender(ctx: RequestContext, renderId: string, call: CallOptions = {}): Promise<void> {
  validateId('renderId', renderId, 'stopRender');
  return requestVoid(ctx, { operation: 'stopRender', method: 'DELETE', path: projectPath(ctx, 'render', renderId), expect: [204], signal: call.signal });
}
