/**
 * `npm start`: reads the configuration, starts the gateway (on the embedded emulator when no
 * credentials are set), prints where it is, and shuts down gracefully on SIGINT/SIGTERM.
 */
import { clusterProblem, isClusterWorker, runPrimary, workersFromArgs } from './cluster.js';
import { ConfigError, helpText, loadConfig, readEnvironment, type GatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { createLogger } from './log.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(helpText());
  process.exit(0);
}

let config;
try {
  config = loadConfig(readEnvironment());
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const log = createLogger(config.logLevel);
// Seconds past the configured drain and grace before a stuck shutdown is cut short.
const forceAfterMs = config.shutdown.drainDelayMs + config.shutdown.graceMs + 5_000;

const workers = workersFromArgs(process.argv);
if (typeof workers !== 'number') {
  process.stderr.write(`${workers.error}\n`);
  process.exit(2);
}
if (workers > 1 && !isClusterWorker()) {
  const problem = clusterProblem(config);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(2);
  }
  runPrimary(workers, log, forceAfterMs);
} else {
  await serve(config);
}

/** One gateway in this process: start, print where it is, shut down gracefully on a signal. */
async function serve(config: GatewayConfig): Promise<void> {
  const gateway = await startGateway(config, log).catch((error: unknown) => {
    process.stderr.write(`Could not start the gateway: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });

  const lines = [`OpenTok gateway listening on ${gateway.url}`];
  if (gateway.emulator) {
    lines.push(`Upstream: the embedded OpenTok emulator at ${gateway.emulator.url} (API key ${gateway.emulator.apiKey}); no credentials are set.`);
    if (gateway.demo) {
      lines.push(`Demo data: session ${gateway.demo.sessionId} with 2 publishers, archive ${gateway.demo.archiveId} (available), broadcast ${gateway.demo.broadcastId} (live).`);
    } else if (config.seedDemo) {
      lines.push('Demo data could not be seeded (see the log); the emulator starts empty.');
    }
    lines.push(`Emulator callbacks are delivered to ${gateway.url}/webhooks/opentok (query recentEvents).`);
  } else {
    lines.push(`Upstream: the ${gateway.upstream.kind === 'vonage' ? 'Vonage Video' : 'OpenTok'} API at ${gateway.upstream.apiUrl} (project ${gateway.upstream.projectId}).`);
  }
  if (gateway.auth.mode === 'jwt') {
    lines.push('Callers must send Authorization: Bearer <JWT> (scopes video:read, video:write, video:moderate, token:publish).');
  } else {
    const bar = '!'.repeat(78);
    lines.push(bar, gateway.auth.mode === 'open'
      ? '!! OPEN GATEWAY: no auth settings and the embedded emulator, so every caller has every scope.'
      : '!! OPEN GATEWAY: AUTH_MODE=none, so every caller has every scope, with REAL credentials.', '!! Set AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_HS256_SECRET (with AUTH_ISSUER, AUTH_AUDIENCE) before exposing it.', bar);
    if (gateway.auth.devToken) {
      lines.push('Dev token with every scope (valid 12 h; paste into GraphiQL\'s Headers tab):', `  {"Authorization": "Bearer ${gateway.auth.devToken}"}`);
    }
  }
  lines.push(`GraphiQL: ${gateway.graphqlUrl}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info(`${signal}: shutting down`);
      // Graceful: /ready fails, in-flight requests finish, subscriptions complete, then Redis
      // and the emulator close (RunningGateway.close).
      const force = setTimeout(() => process.exit(1), forceAfterMs);
      force.unref();
      void gateway.close().then(() => process.exit(0));
    });
  }
}
