/**
 * A scripted HTTP server on 127.0.0.1 (real sockets): it records every request and answers each
 * with the next scripted step: a response, a connection that never answers, a dropped socket,
 * or headers followed by a body that never ends.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ScriptedStep =
  | { status: number; headers?: Record<string, string>; body?: string | null }
  | { action: 'hang' }
  | { action: 'drop' }
  | { action: 'stall-body'; status: number; headers?: Record<string, string> };

export interface RecordedRequest {
  method: string;
  /** Path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body; '' when none was sent. */
  body: string;
  at: number;
}

export interface FixtureServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Appends steps; each request consumes one. */
  script(...steps: ScriptedStep[]): void;
  /** Forgets recorded requests and pending steps. */
  reset(): void;
  close(): Promise<void>;
}

const UNSCRIPTED: ScriptedStep = {
  status: 599,
  headers: { 'content-type': 'application/json' },
  body: '{"message":"fixture server: no response scripted for this request"}',
};

/** Starts a scripted server on an ephemeral port of 127.0.0.1. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  let steps: ScriptedStep[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const step = steps.shift() ?? UNSCRIPTED;
      if ('action' in step) {
        if (step.action === 'hang') return;
        if (step.action === 'drop') {
          req.socket.destroy();
          return;
        }
        res.writeHead(step.status, { 'content-length': '1000', ...step.headers });
        res.write('{');
        return;
      }
      const headers = { ...step.headers };
      const noBody = step.status === 204 || step.status === 304 || step.body === null || step.body === undefined;
      res.writeHead(step.status, headers);
      res.end(noBody ? undefined : step.body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...more) => {
      steps.push(...more);
    },
    reset: () => {
      requests.length = 0;
      steps = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
