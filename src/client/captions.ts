/** Live captions (API.md §5.10). */
import type { CaptionsStatus } from './constants.js';
import { asObject, defined, optNumber, optString, projectIdOf, projectPath, reqString, requestJson, requestVoid, type RequestContext } from './context.js';
import type { CallOptions, CaptionsInfo, CaptionsStarted, StartCaptionsOptions } from './types.js';
import { validateId, validateStartCaptions } from './validation.js';

/** The JSON body of a start-captions request; `partialCaptions` goes out as a boolean. */
export function startCaptionsBody(sessionId: string, token: string, options: StartCaptionsOptions = {}): Record<string, unknown> {
  return defined({
    sessionId,
    token,
    languageCode: options.languageCode,
    maxDuration: options.maxDuration,
    partialCaptions: options.partialCaptions,
    statusCallbackUrl: options.statusCallbackUrl,
  });
}

/** Starts live captions for a session. Never retried: a retry would hit 409 or start twice. */
export async function startCaptions(ctx: RequestContext, sessionId: string, token: string, options: StartCaptionsOptions = {}, call: CallOptions = {}): Promise<CaptionsStarted> {
  validateStartCaptions(sessionId, token, options);
  return requestJson(
    ctx,
    // 202 per the API; the Node and Vonage SDK mocks answer 200.
    { operation: 'startCaptions', method: 'POST', path: projectPath(ctx, 'captions'), json: startCaptionsBody(sessionId, token, options), expect: [202, 200], signal: call.signal },
    (body, operation) => ({ captionsId: reqString(asObject(body, operation), operation, 'captionsId', 'captionId', 'id') }),
  );
}

/** Stops live captions. */
export async function stopCaptions(ctx: RequestContext, captionsId: string, call: CallOptions = {}): Promise<void> {
  validateId('captionsId', captionsId, 'stopCaptions');
  return requestVoid(ctx, { operation: 'stopCaptions', method: 'POST', path: projectPath(ctx, 'captions', captionsId, 'stop'), expect: [202, 200, 204], signal: call.signal });
}

/** Status of a captioning job (only in the Vonage SDK, which notes the API may not implement it). */
export async function getCaptions(ctx: RequestContext, captionsId: string, call: CallOptions = {}): Promise<CaptionsInfo> {
  validateId('captionsId', captionsId, 'getCaptions');
  return requestJson(
    ctx,
    { operation: 'getCaptions', method: 'GET', path: projectPath(ctx, 'captions', captionsId), expect: [200], signal: call.signal },
    (body, operation) => {
      const wire = asObject(body, operation);
      return {
        captionsId: reqString(wire, operation, 'captionsId', 'captionId', 'id'),
        sessionId: optString(wire, 'sessionId', 'session_id') ?? '',
        projectId: projectIdOf(wire, ctx.projectId),
        status: reqString(wire, operation, 'status') as CaptionsStatus,
        createdAt: optNumber(wire, 'createdAt', 'created_at') ?? 0,
        updatedAt: optNumber(wire, 'updatedAt', 'updated_at'),
        duration: optNumber(wire, 'duration'),
        languageCode: optString(wire, 'languageCode', 'language_code'),
        provider: optString(wire, 'provider'),
        reason: optString(wire, 'reason'),
      };
    },
  );
}
