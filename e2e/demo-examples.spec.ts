// The demo's structured-output and tool examples (demo/examples.html), clicked as a person would.
import { expect, test } from './fixtures.js';

test('demo examples: structured output and the weather tool (wasm)', async ({ page }) => {
  await page.goto('/demo/examples.html?device=wasm');
  await page.click('#structured-run');
  await expect(page.locator('#structured-out')).toContainText('"sky":', { timeout: 60_000 });
  const shown = (await page.locator('#structured-out').innerText()).replace('Loading the model…\n', '');
  const json = JSON.parse(shown) as Record<string, unknown>;
  expect(Object.keys(json)).toEqual(['city', 'celsius', 'sky']);

  await page.click('#tool-run');
  await expect(page.locator('#tool-out')).toContainText('assistant: ', { timeout: 60_000 });
  const lines = (await page.locator('#tool-out').innerText()).split('\n');
  expect(lines).toContain('assistant calls get_weather({"city": "Paris"})');
  expect(lines).toContain('tool: {"city":"Paris","celsius":18,"sky":"sunny"}');
});
