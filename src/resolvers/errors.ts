/**
 * The gateway's one error convention: every failure is a GraphQL error whose
 * `extensions.code` is one of ERROR_CODES; input errors add `extensions.field` (the argument
 * path, e.g. `input.outputs.rtmp`), upstream errors add `extensions.upstream`
 * (`{ status, message, operation }`). Anything else is masked by yoga (see src/server/yoga.ts).
 */
import { GraphQLError } from 'graphql';
import { OpenTokError, OpenTokRateLimitError, OpenTokValidationError } from '../client/errors.js';

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'UPSTREAM_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface UpstreamDetails {
  status: number | null;
  message: string | null;
  operation: string | null;
}

export class GatewayError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, originalError?: Error) {
    super(message, { extensions: { code, ...extensions }, ...(originalError ? { originalError } : {}) });
  }
}

export function badUserInput(field: string, message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message, { field });
}

/** Maps a client field name (`outputs.rtmp`) to the GraphQL argument path (`input.outputs.rtmp`). */
export type FieldMapper = (field: string) => string;
export const inInput: FieldMapper = (field) => `input.${field}`;
export const asIs: FieldMapper = (field) => field;

function upstreamOf(error: OpenTokError): UpstreamDetails {
  return { status: error.status ?? null, message: error.serverMessage ?? null, operation: error.operation ?? null };
}

/** The GraphQL error for an OpenTok client error; null for anything else (which stays masked). */
export function fromOpenTokError(error: unknown, mapField: FieldMapper = asIs): GraphQLError | null {
  if (!(error instanceof OpenTokError)) return error instanceof GraphQLError ? error : null;
  if (error instanceof OpenTokValidationError) {
    return new GatewayError('BAD_USER_INPUT', error.message, { field: mapField(error.field) }, error);
  }
  const upstream = upstreamOf(error);
  switch (error.code) {
    case 'INVALID_ARGUMENT':
      return new GatewayError('BAD_USER_INPUT', error.message, {}, error);
    case 'INVALID_TOKEN':
      return new GatewayError('BAD_USER_INPUT', error.message, { field: mapField('token') }, error);
    case 'INVALID_REQUEST':
    case 'PAYLOAD_TOO_LARGE':
      return new GatewayError('BAD_USER_INPUT', error.message, { upstream }, error);
    case 'NOT_FOUND':
      return new GatewayError('NOT_FOUND', error.message, { upstream }, error);
    case 'CONFLICT':
      return new GatewayError('CONFLICT', error.message, { upstream }, error);
    case 'RATE_LIMITED': {
      const retryAfterMs = error instanceof OpenTokRateLimitError ? error.retryAfterMs : undefined;
      const retry = retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
      return new GatewayError('RATE_LIMITED', error.message, { upstream, ...retry }, error);
    }
    case 'UPSTREAM_UNAVAILABLE':
      return new GatewayError('UPSTREAM_UNAVAILABLE', error.message, { upstream }, error);
    // The gateway's own OpenTok credentials were refused: not the caller's fault, not theirs to fix.
    case 'AUTH_FAILED':
    case 'UNEXPECTED_RESPONSE':
      return new GatewayError('UPSTREAM_ERROR', error.message, { upstream }, error);
  }
}

/** Runs an upstream call, turning client errors into the gateway's GraphQL errors. */
export async function call<T>(fn: () => Promise<T> | T, mapField: FieldMapper = asIs): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromOpenTokError(error, mapField) ?? error;
  }
}

/** Like `call`, but a NOT_FOUND answer becomes null: reads of a missing object return null. */
export async function orNull<T>(fn: () => Promise<T>, mapField: FieldMapper = asIs): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OpenTokError && error.code === 'NOT_FOUND') return null;
    throw fromOpenTokError(error, mapField) ?? error;
  }
}

/** Renames client field names to the GraphQL argument names of one field (e.g. `archiveId` → `id`). */
export const renamed =
  (names: Record<string, string>): FieldMapper =>
  (field) =>
    names[field] ?? field;
