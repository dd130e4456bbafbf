/** The bench's output: one markdown table (stdout and latest.md) and the same rows as JSON. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './proc.js';

export interface TableRow {
  row: number;
  measure: string;
  ours: string;
  reference: string;
  delta: string;
  target: string;
}

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* os.cpus() is close enough */
  }
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  let os = `${process.platform} ${process.arch}`;
  try {
    os = execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim();
  } catch {
    /* keep platform */
  }
  return {
    date: new Date().toISOString(),
    nproc,
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os,
  };
}

const escape = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows: readonly TableRow[]): string {
  const head = ['#', 'measure', 'ours (gateway)', 'reference', 'Δ / ratio', 'target'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[String(r.row), r.measure, r.ours, r.reference, r.delta, r.target].map(escape).join(' | ')} |`);
  }
  return lines.join('\n');
}

export function writeResults(markdown: string, json: unknown): { md: string; json: string } {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'latest.md');
  const js = join(dir, 'latest.json');
  writeFileSync(md, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  writeFileSync(js, `${JSON.stringify(json, null, 2)}\n`);
  return { md, json: js };
}

/**
 * Puts the latest table into bench/README.md between its results markers, so
 * the README never shows figures older than bench/results/latest.md.
 */
export function updateReadme(markdown: string): boolean {
  const file = join(ROOT, 'bench/README.md');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return false;
  // The table's own "## …" heading becomes a level-3 heading inside the README's section.
  const body = markdown.replace(/^## /m, '### ').trim();
  writeFileSync(file, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`);
  return true;
}
