/**
 * HTTP plumbing shared by the REST and control handlers: bounded body reading, lenient body
 * parsing (the SDKs send absent, empty, `{}` and form bodies), and responses in the wire
 * formats the platform uses (JSON, or XML `errorPayload` for clients that do not ask for JSON).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies above this size are refused with 413 before they are buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A failure with the status and body the real API gives; thrown by handlers, caught once. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra fields of the JSON error body (e.g. `reason` in control API errors). */
    readonly extra?: Record<string, unknown>,
    /** The JSON `code` field; the HTTP status unless the platform uses -1 (auth). */
    readonly code: number = status,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);
export const conflict = (message: string): HttpError => new HttpError(409, message);

/** Reads the body up to MAX_BODY_BYTES; rejects with a 413 HttpError beyond. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    return Promise.reject(new HttpError(413, 'Request entity too large'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, 'Request entity too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      failed = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    // A client that goes away mid-body never sends 'end'; settle so the handler can finish.
    req.on('close', () => {
      if (failed) return;
      failed = true;
      reject(new HttpError(400, 'Request body incomplete'));
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

export type JsonObject = Record<string, unknown>;

/**
 * Parses a JSON object body. Absent, empty and whitespace bodies are `{}` (bodiless POSTs with a
 * JSON content type are normal, API.md §2.3); anything but an object is a 400.
 */
export function parseJsonObject(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('Invalid JSON in request body');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('The request body must be a JSON object');
  return value as JsonObject;
}

/** Parses a form body (session create), whatever the content type says. */
export function parseForm(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}

/** The platform answers JSON to clients that ask for it and XML otherwise (API.md §2.1, §5.1). */
export function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.includes('json');
}

/** Error bodies are JSON unless the client asked for XML without JSON. */
function wantsXmlErrors(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.includes('xml') && !accept.includes('json');
}

const JSON_TYPE = 'application/json';

export function sendJsonText(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  res.writeHead(status, headers === undefined
    ? { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) }
    : { ...headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendJsonText(res, status, JSON.stringify(value));
}

/** A success without a body; 200s on the platform still carry a content type (recorded). */
export function sendEmpty(res: ServerResponse, status: number): void {
  if (status === 204) {
    res.writeHead(204);
  } else {
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': 0 });
  }
  res.end();
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Writes an error in the platform's format. `negotiated`: the operation answers XML to every
 * client that does not ask for JSON (session create, and signals per the recorded real answers);
 * elsewhere errors are JSON unless the client asks for XML.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError, negotiated = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers = error.headers ?? {};
  if (error.status === 413) headers.connection = 'close';
  if (negotiated ? !wantsJson(req) : wantsXmlErrors(req)) {
    const description = typeof error.extra?.description === 'string' ? error.extra.description : error.message;
    const xml =
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><errorPayload><code>${error.code}</code>` +
      `<message>${escapeXml(error.message)}</message><description>${escapeXml(description)}</description></errorPayload>`;
    res.writeHead(error.status, { ...headers, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
    return;
  }
  sendJsonText(res, error.status, JSON.stringify({ code: error.code, message: error.message, ...error.extra }), headers);
}
