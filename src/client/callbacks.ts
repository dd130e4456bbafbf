/** The legacy callback registry (API.md §5.11; only the Node SDK exposes it). */
import { asObject, optNumber, optString, projectPath, reqString, requestJson, requestVoid, unexpected, type RequestContext, type Wire } from './context.js';
import type { CallOptions, RegisterCallbackOptions, RegisteredCallback } from './types.js';
import { validateId, validateRegisterCallback } from './validation.js';

function parseCallback(wire: Wire, operation: string): RegisteredCallback {
  return {
    id: reqString(wire, operation, 'id'),
    group: optString(wire, 'group') ?? '',
    event: optString(wire, 'event') ?? '',
    url: optString(wire, 'url') ?? '',
    createdAt: optNumber(wire, 'createdAt', 'created_at') ?? 0,
  };
}

/** Registers a callback URL for a group of events. */
export async function registerCallback(ctx: RequestContext, options: RegisterCallbackOptions, call: CallOptions = {}): Promise<RegisteredCallback> {
  validateRegisterCallback(options);
  return requestJson(
    ctx,
    {
      operation: 'registerCallback',
      method: 'POST',
      path: projectPath(ctx, 'callback'),
      json: { group: options.group, event: options.event, url: options.url },
      expect: [200],
      signal: call.signal,
    },
    (body, operation) => parseCallback(asObject(body, operation), operation),
  );
}

/** Every registered callback (the API answers a bare array). */
export async function listCallbacks(ctx: RequestContext, call: CallOptions = {}): Promise<RegisteredCallback[]> {
  return requestJson(ctx, { operation: 'listCallbacks', method: 'GET', path: projectPath(ctx, 'callback'), expect: [200], signal: call.signal }, (body, operation) => {
    const list = Array.isArray(body) ? body : (body as Wire | null)?.items;
    if (!Array.isArray(list)) unexpected(operation, 'expected an array of callbacks');
    return list.map((entry, i) => parseCallback(asObject(entry, operation, `[${i}]`), operation));
  });
}

/** Removes a registered callback. */
export async function unregisterCallback(ctx: RequestContext, callbackId: string, call: CallOptions = {}): Promise<void> {
  validateId('callbackId', callbackId, 'unregisterCallback');
  return requestVoid(ctx, { operation: 'unregisterCallback', method: 'DELETE', path: projectPath(ctx, 'callback', callbackId), expect: [204], signal: call.signal });
}
