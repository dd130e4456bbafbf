/**
 * The Pothos schema builder, the scalars and the per-request context type.
 * Defines no domain types: each domain file under src/schema adds its own (see DESIGN.md).
 */
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError, Kind } from 'graphql';
import { OpenTokError } from '../client/errors.js';
import { GatewayError } from '../resolvers/errors.js';
import type { Principal } from '../server/auth.js';
import type { GatewayContext } from '../server/context.js';

export interface PothosTypes {
  Context: GatewayContext;
  // Fields are non-null unless they say otherwise: nullability is a promise made field by field.
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    /** Timestamps travel as epoch milliseconds inside the gateway (as OpenTok sends them). */
    DateTime: { Input: Date; Output: Date | number };
  };
  /**
   * What a field may require (`authScopes` next to each field). The four capabilities come from
   * the caller's token; the others check the optional session restriction of the token:
   * `session` takes a session id (null = "every session", which only unrestricted callers have),
   * `archive`/`broadcast`/`render` take an object id and check the session it belongs to.
   */
  AuthScopes: {
    'video:read': boolean;
    'video:write': boolean;
    'video:moderate': boolean;
    'token:publish': boolean;
    session: string | null | undefined;
    archive: string;
    broadcast: string;
    render: string;
    allSessions: boolean;
  };
}

const FORBIDDEN_SESSION = 'Not allowed: the token does not give access to this object or session';

/** The scopes that failed, for the FORBIDDEN message (capabilities only; never whether an object exists). */
function missingCapabilities(failure: AuthFailure, out: Set<string> = new Set()): Set<string> {
  if (failure.kind === AuthScopeFailureType.AuthScope && failure.scope.includes(':')) out.add(failure.scope);
  if (failure.kind === AuthScopeFailureType.AllAuthScopes || failure.kind === AuthScopeFailureType.AnyAuthScopes) {
    for (const inner of failure.failures) missingCapabilities(inner, out);
  }
  return out;
}

/**
 * Whether the object behind an id belongs to a session the caller may touch. A missing object
 * and an object of another session give the same answer (false), so a restricted caller cannot
 * probe which ids exist. Unrestricted callers cost no upstream call.
 */
async function inAllowedSession(principal: Principal, load: () => Promise<{ sessionId: string }>): Promise<boolean> {
  if (principal.sessions === null) return true;
  try {
    return principal.sessions.has((await load()).sessionId);
  } catch (error) {
    if (error instanceof OpenTokError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

export const builder = new SchemaBuilder<PothosTypes>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin],
  scopeAuth: {
    // Subscriptions are authorized when they start, not only per event.
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, _context, _info, result) => {
      const missing = [...missingCapabilities(result.failure)];
      return new GatewayError('FORBIDDEN', missing.length > 0 ? `Not allowed: this needs the ${missing.join(' and ')} scope` : FORBIDDEN_SESSION);
    },
    authScopes: (context) => {
      // Requests that failed authentication never execute (auth plugin); a context without a
      // caller gets nothing.
      const principal = context.viewer;
      const has = (scope: string) => principal !== null && principal.scopes.has(scope);
      return {
        'video:read': has('video:read'),
        'video:write': has('video:write'),
        'video:moderate': has('video:moderate'),
        'token:publish': has('token:publish'),
        allSessions: principal !== null && principal.sessions === null,
        session: (sessionId) => principal !== null && (principal.sessions === null || (typeof sessionId === 'string' && principal.sessions.has(sessionId))),
        archive: (id) => principal !== null && inAllowedSession(principal, () => context.loaders.archiveById.load(id)),
        broadcast: (id) => principal !== null && inAllowedSession(principal, () => context.loaders.broadcastById.load(id)),
        render: (id) => principal !== null && inAllowedSession(principal, () => context.loaders.renderById.load(id)),
      };
    },
  },
});

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw new GraphQLError('DateTime must be an ISO-8601 string, e.g. "2026-12-04T20:00:00Z"', { extensions: { code: 'BAD_USER_INPUT' } });
  // A date-time with a time zone, as RFC 3339 requires; bare dates are ambiguous.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    throw new GraphQLError(`DateTime must be an RFC 3339 date-time with a time zone, e.g. "2026-12-04T20:00:00Z"; got ${JSON.stringify(value)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime is not a valid date: ${JSON.stringify(value)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return date;
}

builder.scalarType('DateTime', {
  description: 'A point in time, as an RFC 3339 / ISO-8601 string in UTC with millisecond precision (e.g. `2026-12-04T19:53:48.123Z`). OpenTok reports times in epoch milliseconds; the gateway converts them.',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string literal', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseDateTime(ast.value);
  },
});

builder.queryType({ description: 'Read OpenTok sessions, archives, broadcasts, streams and Experience Composer renders.' });
builder.mutationType({ description: 'Act on OpenTok: create sessions and tokens, record, broadcast, moderate, signal, dial out, compose and caption.' });
