/**
 * The GraphQL-over-HTTP reference audits (the `graphql-http` package) against the gateway on a
 * real socket: every MUST and every SHOULD passes (status `ok`, not `warn` or `notice`).
 */
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('graphql-http server audits', () => {
  // The audits' GET requests are what a cross-site page could send without a preflight; the
  // gateway's CSRF prevention wants them to carry a header only scripts can set, as apps do.
  const fetchFn = (input: RequestInfo | URL, init: RequestInit = {}) =>
    fetch(input, { ...init, headers: { 'graphql-require-preflight': '1', ...(init.headers as Record<string, string> | undefined) } });
  for (const audit of serverAudits({ url: () => t.graphqlUrl, fetchFn })) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      if (result.status !== 'ok') {
        const body = 'response' in result ? await result.response.text().catch(() => '') : '';
        expect.fail(`${result.status}: ${result.reason}\n${body}`);
      }
    });
  }
});
