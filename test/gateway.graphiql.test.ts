/**
 * GraphiQL in a real browser: Debian's chromium, driven by playwright-core, opens /graphql on a
 * gateway started like `npm start` (embedded emulator, demo data), runs the default example
 * and sees the seeded archive's id in the result pane. All assets come from the gateway.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/server/config.js';
import { startGateway, type RunningGateway } from '../src/server/gateway.js';
import { createLogger } from '../src/server/log.js';
import { DEFAULT_QUERY } from '../src/server/yoga.js';

const CHROMIUM = '/usr/bin/chromium';

let gateway: RunningGateway;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  gateway = await startGateway(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
  profile = mkdtempSync(join(tmpdir(), 'gateway-chromium-'));
  // A fresh user-data-dir (playwright takes it as the persistent context's directory).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('GraphiQL', () => {
  it('is installed where the test expects it', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
  });

  it('loads /graphql, runs the default archives example and shows the seeded archive id', async () => {
    const page = await browser.newPage();
    // Monaco renders spaces as no-break spaces.
    const text = async (selector: string) => (await page.locator(selector).innerText()).replace(/\u00a0/g, ' ');
    const external: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(gateway.url.replace('localhost', '127.0.0.1')) && !url.startsWith('blob:') && !url.startsWith('data:')) external.push(url);
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(gateway.graphqlUrl.replace('localhost', '127.0.0.1'));
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    // The editor opens with the default example.
    await expect.poll(() => text('.graphiql-query-editor'), { timeout: 15_000 }).toContain('archives(offset: 0, count: 10)');
    expect(DEFAULT_QUERY).toContain('archives(offset: 0, count: 10)');

    await page.click('.graphiql-execute-button');
    const archiveId = gateway.demo!.archiveId;
    await expect.poll(() => text('.graphiql-response'), { timeout: 20_000 }).toContain(archiveId);
    const shown = await text('.graphiql-response');
    expect(shown).toContain('"totalCount": 1');

    expect(external, 'GraphiQL must not need the internet').toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
