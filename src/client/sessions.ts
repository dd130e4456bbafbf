/**
 * Sessions (API.md §5.1): `POST /session/create` with a form body. The answer is a JSON array
 * when we ask for JSON, and XML when a proxy or an old server ignores the Accept header.
 */
import { asObject, type RequestContext, unexpected } from './context.js';
import { decodeXmlText, parseJsonBody } from './http.js';
import type { CallOptions, CreateSessionOptions, Session } from './types.js';
import { validateCreateSession } from './validation.js';

/** The form fields of a create-session request, defaults applied (routed media, manual archiving). */
export function createSessionForm(options: CreateSessionOptions = {}): Record<string, string> {
  const form: Record<string, string> = {
    // relayed = peer-to-peer allowed; routed = through the Media Router.
    'p2p.preference': (options.mediaMode ?? 'routed') === 'relayed' ? 'enabled' : 'disabled',
    archiveMode: options.archiveMode ?? 'manual',
  };
  if (options.archiveName !== undefined) form.archiveName = options.archiveName;
  if (options.archiveResolution !== undefined) form.archiveResolution = options.archiveResolution;
  if (options.location !== undefined) form.location = options.location;
  if (options.e2ee !== undefined) form.e2ee = String(options.e2ee);
  return form;
}

interface CreatedSession {
  sessionId: string;
  createDt?: string;
}

/** Reads the session id from either response form: `[{"session_id": …}]` or `<sessions><Session><session_id>…`. */
export function parseCreateSessionResponse(text: string, status: number, operation = 'createSession'): CreatedSession {
  const trimmed = text.trim();
  if (trimmed.startsWith('<')) {
    const sessionId = /<session_id>([\s\S]*?)<\/session_id>/.exec(trimmed)?.[1];
    if (!sessionId) unexpected(operation, 'no session_id in the XML response');
    const createDt = /<create_dt>([\s\S]*?)<\/create_dt>/.exec(trimmed)?.[1];
    return { sessionId: decodeXmlText(sessionId.trim()), ...(createDt ? { createDt: decodeXmlText(createDt) } : {}) };
  }
  const body = parseJsonBody({ status, text, contentType: '', retryAfter: null }, operation);
  const first = Array.isArray(body) ? body[0] : body;
  const wire = asObject(first, operation, 'the created session');
  const sessionId = wire.session_id ?? wire.sessionId;
  if (typeof sessionId !== 'string' || sessionId === '') unexpected(operation, 'no session_id in the JSON response');
  const createDt = wire.create_dt ?? wire.createDt;
  return { sessionId, ...(typeof createDt === 'string' && createDt !== '' ? { createDt } : {}) };
}

/** Creates a session. */
export async function createSession(ctx: RequestContext, options: CreateSessionOptions = {}, call: CallOptions = {}): Promise<Session> {
  validateCreateSession(options);
  const operation = 'createSession';
  const result = await ctx.http.send({
    operation,
    method: 'POST',
    path: 'session/create',
    form: createSessionForm(options),
    expect: [200],
    signal: call.signal,
  });
  const created = parseCreateSessionResponse(result.text, result.status, operation);
  const archiveMode = options.archiveMode ?? 'manual';
  return {
    sessionId: created.sessionId,
    mediaMode: options.mediaMode ?? 'routed',
    archiveMode,
    location: options.location ?? null,
    e2ee: options.e2ee ?? false,
    ...(options.archiveName !== undefined ? { archiveName: options.archiveName } : {}),
    ...(options.archiveResolution !== undefined ? { archiveResolution: options.archiveResolution } : {}),
    ...(created.createDt !== undefined ? { createDt: created.createDt } : {}),
  };
}
