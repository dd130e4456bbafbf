/** Streams of a session (API.md §5.4): get one, list all, set layout class lists. */
import type { VideoType } from './constants.js';
import { asObject, optString, parsePage, projectPath, reqString, requestJson, requestVoid, type RequestContext, type Wire } from './context.js';
import type { CallOptions, Page, Stream, StreamLayoutClasses } from './types.js';
import { validateId, validateStreamLayoutClasses } from './validation.js';

/** Parses a stream object; `videoType` defaults to camera when the server leaves it out (a Node mock does). */
export function parseStream(wire: Wire, operation: string): Stream {
  const classes = wire.layoutClassList ?? wire.layout_class_list;
  return {
    id: reqString(wire, operation, 'id'),
    videoType: (optString(wire, 'videoType', 'video_type') ?? 'camera') as VideoType,
    name: optString(wire, 'name') ?? '',
    layoutClassList: Array.isArray(classes) ? classes.filter((c): c is string => typeof c === 'string') : [],
  };
}

/** Fetches one stream of a session. */
export async function getStream(ctx: RequestContext, sessionId: string, streamId: string, call: CallOptions = {}): Promise<Stream> {
  validateId('sessionId', sessionId, 'getStream');
  validateId('streamId', streamId, 'getStream');
  return requestJson(
    ctx,
    { operation: 'getStream', method: 'GET', path: projectPath(ctx, 'session', sessionId, 'stream', streamId), expect: [200], signal: call.signal },
    (body, operation) => parseStream(asObject(body, operation), operation),
  );
}

/** Every stream of a session (one request; the API does not page streams). */
export async function listStreams(ctx: RequestContext, sessionId: string, call: CallOptions = {}): Promise<Page<Stream>> {
  validateId('sessionId', sessionId, 'listStreams');
  return requestJson(
    ctx,
    { operation: 'listStreams', method: 'GET', path: projectPath(ctx, 'session', sessionId, 'stream'), expect: [200], signal: call.signal },
    (body, operation) => parsePage(body, operation, (wire) => parseStream(wire, operation)),
  );
}

/** Sets the layout class lists of streams in a session. */
export async function setStreamLayoutClasses(ctx: RequestContext, sessionId: string, items: StreamLayoutClasses[], call: CallOptions = {}): Promise<void> {
  validateStreamLayoutClasses(sessionId, items);
  return requestVoid(ctx, {
    operation: 'setStreamLayoutClasses',
    method: 'PUT',
    path: projectPath(ctx, 'session', sessionId, 'stream'),
    json: { items: items.map((item) => ({ id: item.id, layoutClassList: [...item.layoutClassList] })) },
    expect: [200, 204],
    signal: call.signal,
  });
}
