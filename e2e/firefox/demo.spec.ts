// The demo page in Firefox ESR as a visitor uses it (device auto): it falls back to WASM and says
// why, streams the story through the official `openai` SDK, keeps a multi-turn conversation and
// clears it. Driven through puppeteer-core (Playwright's locators do not reach this Firefox).
import type { Page } from 'puppeteer-core';
import { STORY_TEXT as STORY } from '../../scripts/story.mjs';
import { expect } from '@playwright/test';
import { firefoxTest as test } from './fixtures.js';

const answers = '#conversation .message.assistant';

/** Types `text` into the message box and presses Enter, then waits for answer `index` to finish. */
async function ask(page: Page, text: string, index: number): Promise<{ text: string; stats: string }> {
  await page.locator('textarea[aria-label="Message"]').fill(text);
  await page.keyboard.press('Enter');
  await page.waitForFunction((selector, i) => document.querySelectorAll<HTMLElement>(selector)[i]?.dataset['state'] === 'done', { timeout: 0 }, answers, index);
  return page.evaluate((selector, i) => {
    const answer = document.querySelectorAll(selector)[i];
    return { text: answer?.querySelector('.text')?.textContent ?? '', stats: answer?.querySelector('.stats')?.textContent ?? '' };
  }, answers, index);
}

const promptTokens = (stats: string) => Number(/([\d,]+) prompt/.exec(stats)?.[1]?.replaceAll(',', ''));

test('firefox demo: loads on WASM with the reason, streams the story, keeps and clears the conversation', async ({ firefoxPage }) => {
  const page = firefoxPage.puppeteer;
  await firefoxPage.goto('/');
  await page.waitForFunction(() => document.getElementById('load')?.dataset['phase'] === 'ready', { timeout: 0 });
  const load = await page.evaluate(() => ({
    badge: document.querySelector('#load .badge')?.textContent,
    text: document.getElementById('load-text')?.textContent ?? '',
    focused: document.activeElement?.getAttribute('aria-label'),
  }));
  expect(load.badge).toBe('WASM');
  expect(load.text).toMatch(/zstream-tiny-story .* loaded in [\d.]+ m?s · this browser has no WebGPU$/);
  expect(load.focused).toBe('Message');

  const first = await ask(page, 'Tell me a story', 0);
  expect(first.text).toBe(STORY);
  expect(first.stats).toMatch(/^TTFT [\d.]+ m?s · [\d,]+ tok\/s · 34 prompt \+ 32 completion tokens/);
  const second = await ask(page, 'Again', 1);
  expect(second.text).toBe(STORY);
  expect(promptTokens(second.stats)).toBeGreaterThan(34 + 32); // the first turn went along

  await page.locator('::-p-aria(Clear conversation[role="button"])').click();
  await page.waitForFunction(() => document.querySelectorAll('#conversation .message').length === 0, { timeout: 0 });
  expect(promptTokens((await ask(page, 'Tell me a story', 0)).stats)).toBe(34);
});
