/** Experience Composer renders (API.md §5.9). */
import type { RenderStatus, Resolution } from './constants.js';
import { asObject, defined, optNumber, optString, paginate, parsePage, projectIdOf, projectPath, reqString, requestJson, requestVoid, type RequestContext, type Wire } from './context.js';
import type { CallOptions, IterateOptions, ListOptions, Page, Render, StartRenderOptions } from './types.js';
import { validateId, validateIterateOptions, validateListOptions, validateStartRender } from './validation.js';

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

const render = (ctx: RequestContext) => (body: unknown, operation: string) => parseRender(asObject(body, operation), operation, ctx.projectId);

/** Starts an Experience Composer render. Never retried: a retry could start a second render. */
export async function startRender(ctx: RequestContext, options: StartRenderOptions, call: CallOptions = {}): Promise<Render> {
  validateStartRender(options);
  return requestJson(
    ctx,
    // 202 per the API; the Vonage SDK's mock answers 200.
    { operation: 'startRender', method: 'POST', path: projectPath(ctx, 'render'), json: startRenderBody(options), expect: [202, 200], signal: call.signal },
    render(ctx),
  );
}

/** Fetches one render. */
export async function getRender(ctx: RequestContext, renderId: string, call: CallOptions = {}): Promise<Render> {
  validateId('renderId', renderId, 'getRender');
  return requestJson(ctx, { operation: 'getRender', method: 'GET', path: projectPath(ctx, 'render', renderId), expect: [200], signal: call.signal }, render(ctx));
}

/** One page of renders with the total number of renders. */
export async function listRenders(ctx: RequestContext, options: ListOptions = {}, call: CallOptions = {}): Promise<Page<Render>> {
  validateListOptions(options, 'listRenders');
  return requestJson(
    ctx,
    { operation: 'listRenders', method: 'GET', path: projectPath(ctx, 'render'), searchParams: { offset: options.offset, count: options.count }, expect: [200], signal: call.signal },
    (body, operation) => parsePage(body, operation, (wire) => parseRender(wire, operation, ctx.projectId)),
  );
}

/** Every render, fetched page by page. */
export async function* iterateRenders(ctx: RequestContext, options: Omit<IterateOptions, 'sessionId'> = {}, call: CallOptions = {}): AsyncGenerator<Render, void, undefined> {
  validateIterateOptions(options, 'iterateRenders');
  yield* paginate((offset, count) => listRenders(ctx, { offset, count }, call), options.pageSize ?? 100);
}

/** Stops a render. */
export async function stopRender(ctx: RequestContext, renderId: string, call: CallOptions = {}): Promise<void> {
  validateId('renderId', renderId, 'stopRender');
  return requestVoid(ctx, { operation: 'stopRender', method: 'DELETE', path: projectPath(ctx, 'render', renderId), expect: [204], signal: call.signal });
}
