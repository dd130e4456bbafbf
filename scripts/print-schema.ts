/**
 * Prints the schema from code to schema.graphql (`npm run schema:print`), or with `--check`
 * fails when schema.graphql differs from the code (`npm run schema:check`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSchemaFile } from '../src/schema/print.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const printed = printSchemaFile();

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== printed) {
    process.stderr.write('schema.graphql is out of date with the code: run `npm run schema:print` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql matches the code.\n');
} else {
  await writeFile(target, printed);
  process.stdout.write(`wrote ${target}\n`);
}
