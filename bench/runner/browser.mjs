// Headless system Chromium (Playwright) or Firefox ESR (puppeteer-core over WebDriver BiDi), one
// fresh profile per launch, and the bench page on it. Both pages answer the same calls used here
// (on, goto, waitForFunction, evaluate, close).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
