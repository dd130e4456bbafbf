/**
 * The recorded OpenTok exchanges of ../shared/opentok/fixtures (see its INDEX.md), loaded once.
 *
 * CI checks out shared/ beside the repository, so the path is resolved from this file, not from
 * the working directory. A missing directory fails loudly: a conformance suite that silently
 * covers nothing would prove nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../../shared/opentok/fixtures/', import.meta.url));

export interface RecordedExchange {
  request: { method: string; uri: string; headers?: Record<string, string>; body: string | null };
  response: { status: number; headers?: Record<string, string>; body: string | null };
}

export interface FixtureFile {
  /** Path relative to the fixtures directory, e.g. `node/archiving/…json`. */
  name: string;
  /** `ruby`, `node` or `vonage-video`. */
  source: string;
  exchanges: RecordedExchange[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return walk(path);
    return entry.endsWith('.json') ? [path] : [];
  });
}

/** Every fixture file, sorted by name. Throws when the shared fixtures are not where CI puts them. */
export function loadFixtures(): FixtureFile[] {
  if (!existsSync(FIXTURES_DIR)) {
    throw new Error(`OpenTok fixtures not found at ${FIXTURES_DIR}: check out the shared directory beside the repository (../shared)`);
  }
  const files = walk(FIXTURES_DIR).sort();
  if (files.length === 0) throw new Error(`no fixture files under ${FIXTURES_DIR}`);
  return files.map((path) => {
    const name = relative(FIXTURES_DIR, path).split('\\').join('/');
    const exchanges = JSON.parse(readFileSync(path, 'utf8')) as RecordedExchange[];
    if (!Array.isArray(exchanges) || exchanges.length === 0) throw new Error(`fixture ${name} holds no exchanges`);
    return { name, source: name.split('/')[0] ?? '', exchanges };
  });
}
