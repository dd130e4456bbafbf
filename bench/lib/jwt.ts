/**
 * The OpenTok project JWT (X-OPENTOK-AUTH) for the bench's own direct REST calls.
 * Hand-rolled with node:crypto rather than imported from src/client so the
 * "direct" baseline depends on nothing of the gateway it is compared with.
 */
import { createHmac, randomUUID } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** A fresh HS256 project JWT; OpenTok caps the lifetime at 300 s. */
export function projectJwt(apiKey: string, apiSecret: string, lifetimeSeconds = 300): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(
    JSON.stringify({ iss: apiKey, ist: 'project', iat: now, exp: now + lifetimeSeconds, jti: randomUUID() }),
  ).toString('base64url');
  const signature = createHmac('sha256', apiSecret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}
