/**
 * A Redis for tests that need one: use the server on 127.0.0.1:6379 when it answers,
 * otherwise start `redis-server` (installed on the CI machine kind, but not always running).
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;
export const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;

/** True when something answers PING with PONG on host:port within the timeout. */
export function redisAnswers(host = REDIS_HOST, port = REDIS_PORT, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Makes sure a Redis answers on 127.0.0.1:6379, starting one as a daemon if needed
 * (the same command the machine uses: no persistence). Throws with the reason when it cannot.
 */
export async function ensureRedis(): Promise<string> {
  if (await redisAnswers()) return REDIS_URL;
  const started = spawnSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no'],
    { encoding: 'utf8' },
  );
  if (started.error) throw new Error(`Redis is not running on ${REDIS_URL} and redis-server could not be started: ${started.error.message}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers()) return REDIS_URL;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server was started but does not answer on ${REDIS_URL}: ${started.stderr || started.stdout}`);
}
