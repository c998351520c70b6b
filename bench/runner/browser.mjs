// Headless system Chromium (Playwright) or Firefox ESR (puppeteer-core over WebDriver BiDi), one
// fresh profile per launch, and the bench page on it. Both pages answer the same calls used here
// (on, goto, waitForFunction, evaluate, close).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { launchFirefox } from '../../scripts/firefox.mjs';
import { config } from './config.mjs';
import { PAGE_PATH } from './serve.mjs';

/** A browser with its own new profile (no HTTP cache, no Cache Storage, no shader cache). */
export async function freshBrowser(browser = 'chromium') {
  if (browser === 'firefox') {
    // puppeteer-core gives each launch a new temporary profile and removes it on close. Firefox
    // rounds performance.now() to whole milliseconds in pages that are not cross-origin isolated:
    // too coarse for TTFT and ITL here, so the bench turns that rounding off.
    const firefox = await launchFirefox({ 'privacy.reduceTimerPrecision': false });
    return { context: firefox, close: () => firefox.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'zstream-bench-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Gives every thread of the browser's processes the runner's own nice value (Linux; where the runner
 * runs below 0). Chromium sets its processes' priorities itself, so a renderer and its workers ran at
 * 0 under `nice -n -10 npm run bench`; reniced, the floor went from 150–300 to 1,200–1,800 tok/s at the
 * same load (docs/throughput.md). Threads started later (a new worker) inherit from their creator, so
 * call it once a page's workers run.
 */
export function reniceBrowsers() {
  const nice = getPriority();
  if (process.platform !== 'linux' || nice >= 0) return;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom|firefox/i.test(command.split('\0')[0] ?? '')) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) setPriority(Number(tid), nice);
    } catch {
      // The process or thread ended meanwhile.
    }
  }
}

/** Opens the bench page; page errors and console errors are collected into `problems`. */
export async function openBench(context, baseURL, problems) {
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A failed load is reported with its URL below; the console line does not name it.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${new URL(response.url()).pathname}`);
  });
  await page.goto(baseURL + PAGE_PATH);
  await page.waitForFunction(() => window.bench !== undefined);
  return page;
}

/** page.evaluate with a deadline, so a hung measurement becomes an error instead of a hang. */
export async function measure(page, fn, arg, timeoutMs = 120_000) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([page.evaluate(fn, arg), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
