/**
 * The operations archives (API.md §5.2), broadcasts (§5.3) and renders (§5.9) have in common,
 * written once so the three areas cannot drift apart. Each area's file keeps what is its own:
 * the start operation and its body, the parser, and operations only it has (deleteArchive,
 * renders' DELETE stop).
 *
 * Every operation built here, with `{r}` the resource (`archive`, `broadcast`, `render`) and
 * `{id}` its id, under `v2/project/{projectId}/`:
 *
 * | operation    | method | path                              | success  | areas                        |
 * |--------------|--------|-----------------------------------|----------|------------------------------|
 * | get          | GET    | `{r}/{id}`                        | 200      | archive, broadcast, render   |
 * | list         | GET    | `{r}?offset&count[&sessionId]`    | 200      | archive, broadcast, render ¹ |
 * | iterate      | GET    | list, page after page ³           | 200      | archive, broadcast, render ¹ |
 * | stop         | POST   | `{r}/{id}/stop`                   | 200      | archive, broadcast ²         |
 * | setLayout    | PUT    | `{r}/{id}/layout`                 | 200, 204 | archive, broadcast           |
 * | addStream    | PATCH  | `{r}/{id}/streams`                | 204, 200 | archive, broadcast           |
 * | removeStream | PATCH  | `{r}/{id}/streams`                | 204, 200 | archive, broadcast           |
 *
 * ¹ renders cannot be filtered by session: theirs never send `sessionId`.
 * ² a render stops with `DELETE render/{id}` → 204 instead (renders.ts).
 * ³ `pageSize` 100 unless given; stops at the total `count` or at a short page.
 *
 * Layout: the API answers 200, the Vonage SDK's mock 204; both are success. Validation errors
 * and upstream errors name the operation (`getArchive`, `setBroadcastLayout`, …) and the id
 * field (`archiveId`, `broadcastId`, `renderId`) exactly as the hand-written versions did.
 */
import { asObject, defined, paginate, parsePage, projectPath, requestJson, requestVoid, type RequestContext, type Wire } from './context.js';
import type { CallOptions, IterateOptions, Layout, Page, SessionListOptions, StreamSelection } from './types.js';
import { validateId, validateIterateOptions, validateLayout, validateListOptions, validateStreamSelection } from './validation.js';

/** The wire form of a layout; unset optional keys are left out. */
export function layoutBody(layout: Layout): Record<string, unknown> {
  return defined({ type: layout.type, stylesheet: layout.stylesheet, screenshareType: layout.screenshareType });
}

/** The body of a PATCH …/streams that adds a stream; audio and video are sent only when given (the server defaults both to true). */
export function addStreamBody(streamId: string, options: StreamSelection = {}): Record<string, unknown> {
  return defined({ addStream: streamId, hasAudio: options.hasAudio, hasVideo: options.hasVideo });
}

/** What identifies one resource: its path segment, the name of its id in validation errors, and its parser. */
export interface Resource<T> {
  resource: 'archive' | 'broadcast' | 'render';
  idName: 'archiveId' | 'broadcastId' | 'renderId';
  parse: (wire: Wire, operation: string, fallbackProjectId: string) => T;
}

/** The parser of a success body holding one resource object; the project id fills in when the wire has none. */
export function objectParser<T>(ctx: RequestContext, parse: Resource<T>['parse']): (body: unknown, operation: string) => T {
  return (body, operation) => parse(asObject(body, operation), operation, ctx.projectId);
}

export interface ReadOperations<T> {
  get: (ctx: RequestContext, id: string, call?: CallOptions) => Promise<T>;
  list: (ctx: RequestContext, options?: SessionListOptions, call?: CallOptions) => Promise<Page<T>>;
  iterate: (ctx: RequestContext, options?: IterateOptions, call?: CallOptions) => AsyncGenerator<T, void, undefined>;
}

/**
 * get, list and iterate of one resource. `sessionFilter` says whether list and iterate pass
 * `sessionId` on (archives, broadcasts); renders cannot be filtered, so theirs never send it.
 */
export function readOperations<T>(
  spec: Resource<T> & { sessionFilter: boolean; names: { get: string; list: string; iterate: string } },
): ReadOperations<T> {
  const { resource, idName, parse, sessionFilter, names } = spec;

  async function list(ctx: RequestContext, options: SessionListOptions = {}, call: CallOptions = {}): Promise<Page<T>> {
    validateListOptions(options, names.list);
    const searchParams = sessionFilter ? { offset: options.offset, count: options.count, sessionId: options.sessionId } : { offset: options.offset, count: options.count };
    return requestJson(
      ctx,
      { operation: names.list, method: 'GET', path: projectPath(ctx, resource), searchParams, expect: [200], signal: call.signal },
      (body, operation) => parsePage(body, operation, (wire) => parse(wire, operation, ctx.projectId)),
    );
  }

  return {
    async get(ctx, id, call = {}) {
      validateId(idName, id, names.get);
      return requestJson(ctx, { operation: names.get, method: 'GET', path: projectPath(ctx, resource, id), expect: [200], signal: call.signal }, objectParser(ctx, parse));
    },
    list,
    // An async generator, so options are validated when iteration starts, not when it is created.
    async *iterate(ctx, options = {}, call = {}) {
      validateIterateOptions(options, names.iterate);
      const { sessionId } = options;
      const filter = sessionFilter && sessionId !== undefined ? { sessionId } : {};
      yield* paginate((offset, count) => list(ctx, { offset, count, ...filter }, call), options.pageSize ?? 100);
    },
  };
}

export interface MediaOperations<T> {
  stop: (ctx: RequestContext, id: string, call?: CallOptions) => Promise<T>;
  setLayout: (ctx: RequestContext, id: string, layout: Layout, call?: CallOptions) => Promise<void>;
  addStream: (ctx: RequestContext, id: string, streamId: string, options?: StreamSelection, call?: CallOptions) => Promise<void>;
  removeStream: (ctx: RequestContext, id: string, streamId: string, call?: CallOptions) => Promise<void>;
}

/** stop, layout and add/remove stream of a composed recording: archives and broadcasts (renders stop with a DELETE, in renders.ts). */
export function mediaOperations<T>(
  spec: Resource<T> & { names: { stop: string; setLayout: string; addStream: string; removeStream: string } },
): MediaOperations<T> {
  const { resource, idName, parse, names } = spec;

  // Both stream changes are the same PATCH; only the body differs. 405 when the resource is in auto stream mode.
  function patchStreams(ctx: RequestContext, operation: string, id: string, json: Record<string, unknown>, call: CallOptions): Promise<void> {
    return requestVoid(ctx, { operation, method: 'PATCH', path: projectPath(ctx, resource, id, 'streams'), json, expect: [204, 200], signal: call.signal });
  }

  return {
    async stop(ctx, id, call = {}) {
      validateId(idName, id, names.stop);
      return requestJson(ctx, { operation: names.stop, method: 'POST', path: projectPath(ctx, resource, id, 'stop'), expect: [200], signal: call.signal }, objectParser(ctx, parse));
    },
    async setLayout(ctx, id, layout, call = {}) {
      validateId(idName, id, names.setLayout);
      validateLayout(layout, names.setLayout);
      return requestVoid(ctx, { operation: names.setLayout, method: 'PUT', path: projectPath(ctx, resource, id, 'layout'), json: layoutBody(layout), expect: [200, 204], signal: call.signal });
    },
    async addStream(ctx, id, streamId, options = {}, call = {}) {
      validateId(idName, id, names.addStream);
      validateId('streamId', streamId, names.addStream);
      validateStreamSelection(options, names.addStream);
      return patchStreams(ctx, names.addStream, id, addStreamBody(streamId, options), call);
    },
    async removeStream(ctx, id, streamId, call = {}) {
      validateId(idName, id, names.removeStream);
      validateId('streamId', streamId, names.removeStream);
      return patchStreams(ctx, names.removeStream, id, { removeStream: streamId }, call);
    },
  };
}
