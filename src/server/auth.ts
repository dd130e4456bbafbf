/**
 * Optional authentication of the gateway's callers: when GATEWAY_JWT_SECRET is set, every
 * GraphQL operation needs `Authorization: Bearer <JWT>` (HS256 with that secret), and the
 * token's scopes decide what it may do: `opentok:read` for queries and subscriptions,
 * `opentok:write` for mutations. Without the setting the gateway is open (local development,
 * or behind a gateway that authenticates).
 */
import { jwtVerify, errors as joseErrors } from 'jose';
import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { GatewayError } from '../resolvers/errors.js';

export const READ_SCOPE = 'opentok:read';
export const WRITE_SCOPE = 'opentok:write';

export interface AuthConfig {
  secret: string;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** Who is calling, when authentication is on. */
export interface Viewer {
  subject: string | null;
  scopes: ReadonlySet<string>;
}

export type Authentication = { ok: true; viewer: Viewer | null } | { ok: false; reason: string };

export function createAuthenticator(config: AuthConfig | null): (request: Request) => Promise<Authentication> {
  if (!config) return async () => ({ ok: true, viewer: null });
  const key = new TextEncoder().encode(config.secret);
  return async (request) => {
    const header = request.headers.get('authorization');
    if (!header) return { ok: false, reason: 'Authentication required: send Authorization: Bearer <token>' };
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return { ok: false, reason: 'The Authorization header must be "Bearer <token>"' };
    try {
      const { payload } = await jwtVerify(match[1]!, key, {
        algorithms: ['HS256'],
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      });
      const raw = payload.scope ?? payload.scp;
      const scopes = new Set(typeof raw === 'string' ? raw.split(/\s+/).filter(Boolean) : Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : []);
      return { ok: true, viewer: { subject: payload.sub ?? null, scopes } };
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? 'The token has expired' : error instanceof joseErrors.JWTClaimValidationFailed ? `The token was refused: ${error.message}` : 'The token is not valid';
      return { ok: false, reason };
    }
  };
}

interface AuthContext {
  authentication: Authentication;
}

function check(document: DocumentNode, operationName: string | null | undefined, authentication: Authentication): GatewayError | null {
  if (!authentication.ok) {
    return new GatewayError('UNAUTHENTICATED', authentication.reason, { http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } });
  }
  const viewer = authentication.viewer;
  if (viewer === null) return null;
  const operation = getOperationAST(document, operationName ?? undefined)?.operation ?? 'query';
  const needed = operation === 'mutation' ? WRITE_SCOPE : READ_SCOPE;
  if (!viewer.scopes.has(needed)) {
    return new GatewayError('FORBIDDEN', `This ${operation} needs the ${needed} scope; the token has ${[...viewer.scopes].join(', ') || 'none'}`, { http: { status: 403 } });
  }
  return null;
}

/** Stops an operation before it runs when the caller is not authenticated or lacks the scope. */
export function authPlugin(): Plugin<AuthContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.operationName, (args.contextValue as AuthContext).authentication);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.operationName, (args.contextValue as AuthContext).authentication);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
