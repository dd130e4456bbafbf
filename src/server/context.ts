/** The per-request GraphQL context: built fresh for every request, never shared. */
import { randomUUID } from 'node:crypto';
import type { OpenTokClient } from '../client/types.js';
import { createLoaders, type Loaders } from '../resolvers/loaders.js';
import type { Authentication, Viewer } from './auth.js';
import type { EventHub } from './events.js';
import type { Logger } from './log.js';

export interface GatewayContext {
  /** The shared OpenTok client (stateless; safe to share). */
  client: OpenTokClient;
  /** This request's DataLoaders (see src/resolvers/loaders.ts). */
  loaders: Loaders;
  /** Correlates a masked error in a response with the full error in the log. */
  requestId: string;
  log: Logger;
  /** OpenTok callbacks received on /webhooks/opentok, for subscriptions. */
  events: EventHub;
  /** The authenticated caller; null when authentication is off. */
  viewer: Viewer | null;
  /** The outcome of authenticating the request (the auth plugin acts on it). */
  authentication: Authentication;
}

export interface ContextDeps {
  client: OpenTokClient;
  log: Logger;
  events: EventHub;
}

export function createContext(
  deps: ContextDeps,
  requestId: string = randomUUID(),
  authentication: Authentication = { ok: true, viewer: null },
): GatewayContext {
  return {
    client: deps.client,
    loaders: createLoaders(deps.client),
    requestId,
    log: deps.log,
    events: deps.events,
    viewer: authentication.ok ? authentication.viewer : null,
    authentication,
  };
}
