/**
 * Errors of the OpenTok client, as typed values with stable codes.
 *
 * Every error raised because of an HTTP exchange keeps the status, the server's own
 * message and the operation name: the official SDKs lose both, a long-standing complaint
 * (opentok-node #110, #114, #166). No error ever carries a credential.
 */

export type OpenTokErrorCode =
  /** Rejected by the client before any request: the input broke a documented rule. */
  | 'INVALID_ARGUMENT'
  /** 400 (and the odd 405/408 the API uses for wrong modes and stream ids). */
  | 'INVALID_REQUEST'
  /** 401 / 403. */
  | 'AUTH_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  /** 5xx, timeout or network failure. */
  | 'UPSTREAM_UNAVAILABLE'
  /** Any other unexpected status or an unparseable success body. */
  | 'UNEXPECTED_RESPONSE'
  /** A client token failed verification. */
  | 'INVALID_TOKEN';

export interface OpenTokErrorDetails {
  /** The client operation, e.g. `startArchive`. */
  operation?: string;
  /** HTTP status, when a response was received. */
  status?: number;
  /** The server's own message (`message` of the JSON or XML error body, or the raw text). */
  serverMessage?: string;
  cause?: unknown;
}

export class OpenTokError extends Error {
  readonly code: OpenTokErrorCode;
  readonly operation: string | undefined;
  readonly status: number | undefined;
  readonly serverMessage: string | undefined;

  constructor(code: OpenTokErrorCode, message: string, details: OpenTokErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.operation = details.operation;
    this.status = details.status;
    this.serverMessage = details.serverMessage;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      operation: this.operation,
      status: this.status,
      serverMessage: this.serverMessage,
    };
  }
}

/** Input that breaks a documented OpenTok rule, caught before any request is sent. */
export class OpenTokValidationError extends OpenTokError {
  /** The offending option, as the caller spelled it (e.g. `expireTime`, `outputs.rtmp`). */
  readonly field: string;

  constructor(field: string, message: string, operation?: string) {
    super('INVALID_ARGUMENT', message, { operation });
    this.field = field;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

export class OpenTokInvalidRequestError extends OpenTokError {
  constructor(message: string, details: OpenTokErrorDetails) {
    super('INVALID_REQUEST', message, details);
  }
}

export class OpenTokAuthError extends OpenTokError {
  constructor(message: string, details: OpenTokErrorDetails) {
    super('AUTH_FAILED', message, details);
  }
}

export class OpenTokNotFoundError extends OpenTokError {
  constructor(message: string, details: OpenTokErrorDetails) {
    super('NOT_FOUND', message, details);
  }
}

export class OpenTokConflictError extends OpenTokError {
  constructor(message: string, details: OpenTokErrorDetails) {
    super('CONFLICT', message, details);
  }
}

export class OpenTokPayloadTooLargeError extends OpenTokError {
  constructor(message: string, details: OpenTokErrorDetails) {
    super('PAYLOAD_TOO_LARGE', message, details);
  }
}

export class OpenTokRateLimitError extends OpenTokError {
  /** The server's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: OpenTokErrorDetails & { retryAfterMs?: number }) {
    super('RATE_LIMITED', message, details);
    this.retryAfterMs = details.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

export type UnavailableReason = 'server-error' | 'timeout' | 'network';

export class OpenTokUnavailableError extends OpenTokError {
  readonly reason: UnavailableReason;

  constructor(message: string, details: OpenTokErrorDetails & { reason: UnavailableReason }) {
    super('UPSTREAM_UNAVAILABLE', message, details);
    this.reason = details.reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export class OpenTokUnexpectedResponseError extends OpenTokError {
  constructor(message: string, details: OpenTokErrorDetails) {
    super('UNEXPECTED_RESPONSE', message, details);
  }
}

export type TokenRejection =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'WRONG_PROJECT'
  | 'SESSION_MISMATCH'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'INVALID_ROLE';

/** A client token that failed verification; `reason` says which check failed. */
export class OpenTokTokenError extends OpenTokError {
  readonly reason: TokenRejection;

  constructor(reason: TokenRejection, message: string) {
    super('INVALID_TOKEN', message, { operation: 'verifyToken' });
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/**
 * The typed error for a non-success HTTP status.
 * `serverMessage` is what the server said; the error message names the operation and status too.
 */
export function errorForStatus(
  status: number,
  operation: string,
  serverMessage: string | undefined,
  retryAfterMs?: number,
): OpenTokError {
  const said = serverMessage ? `: ${serverMessage}` : '';
  const message = `${operation} failed with HTTP ${status}${said}`;
  const details = { operation, status, serverMessage };
  if (status === 400 || status === 405 || status === 408) return new OpenTokInvalidRequestError(message, details);
  if (status === 401 || status === 403) return new OpenTokAuthError(message, details);
  if (status === 404) return new OpenTokNotFoundError(message, details);
  if (status === 409) return new OpenTokConflictError(message, details);
  if (status === 413) return new OpenTokPayloadTooLargeError(message, details);
  if (status === 429) return new OpenTokRateLimitError(message, { ...details, retryAfterMs });
  if (status >= 500) return new OpenTokUnavailableError(message, { ...details, reason: 'server-error' });
  return new OpenTokUnexpectedResponseError(message, details);
}
