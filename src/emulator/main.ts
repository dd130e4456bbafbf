/**
 * Standalone emulator: `npm run emulator -- --port 3001 [--api-key K --api-secret S
 * --callback-url U --host H --callback-secret X --app-id ID --public-key-file PEM]`.
 * Prints the URL and credentials, and closes cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator, type EmulatorOptions } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    'callback-url': { type: 'string' },
    'callback-secret': { type: 'string' },
    'app-id': { type: 'string' },
    'public-key-file': { type: 'string' },
    'stopped-to-available-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (values.help) {
  console.log('Usage: npm run emulator -- [--port 3001] [--host 127.0.0.1] [--api-key K] [--api-secret S]\n' +
    '  [--callback-url URL] [--callback-secret S] [--app-id UUID --public-key-file key.pem] [--stopped-to-available-ms N]');
  process.exit(0);
}

function int(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return n;
}

const options: EmulatorOptions = {
  port: int('port', values.port),
  host: values.host,
  apiKey: values['api-key'],
  apiSecret: values['api-secret'],
  callbackUrl: values['callback-url'] ?? null,
  callbackSecret: values['callback-secret'],
  stoppedToAvailableMs: int('stopped-to-available-ms', values['stopped-to-available-ms']),
};
if (values['app-id'] !== undefined || values['public-key-file'] !== undefined) {
  if (values['app-id'] === undefined || values['public-key-file'] === undefined) {
    console.error('--app-id and --public-key-file go together');
    process.exit(2);
  }
  options.vonage = { applicationId: values['app-id'], publicKey: readFileSync(values['public-key-file'], 'utf8') };
}

const emulator = await startEmulator(options);
console.log(`OpenTok emulator listening on ${emulator.url}`);
console.log(`API key:    ${emulator.apiKey}`);
console.log(`API secret: ${emulator.apiSecret}`);
if (options.vonage) console.log(`Vonage application id: ${options.vonage.applicationId}`);
if (options.callbackUrl) console.log(`Callbacks:  ${options.callbackUrl}`);
console.log(`Control API: ${emulator.url}/_emulator (see docs/emulator.md)`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received, closing`);
  emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
