/**
 * The Pothos schema builder, the scalars and the per-request context type.
 * Defines no domain types: each domain file under src/schema adds its own (see DESIGN.md).
 */
import SchemaBuilder from '@pothos/core';
import { GraphQLError, Kind } from 'graphql';
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
}

export const builder = new SchemaBuilder<PothosTypes>({ defaultFieldNullability: false });

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
