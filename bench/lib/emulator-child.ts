/**
 * Runs the emulator in a process of its own for the bench, through its public
 * startEmulator() API (the same one `npm run emulator` wraps), so the bench
 * depends on the documented options rather than on CLI flag spellings.
 * argv: PORT API_KEY API_SECRET. Prints `EMULATOR_URL <url>` when listening.
 */
import { startEmulator } from '../../src/emulator/index.js';

const [port, apiKey, apiSecret] = process.argv.slice(2);
const emulator = await startEmulator({
  host: '127.0.0.1',
  port: Number(port),
  ...(apiKey === undefined ? {} : { apiKey }),
  ...(apiSecret === undefined ? {} : { apiSecret }),
});
process.stdout.write(`EMULATOR_URL ${emulator.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void emulator.close().finally(() => process.exit(0));
  });
}
