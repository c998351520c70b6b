// The demo page used as a person uses it: real Chromium, the real embedded model, the official
// `openai` SDK inside the page. Typing, Enter, streaming, Stop, errors, multi-turn, narrow screens.
import { DemoPage, parseStats } from './demo-page.js';
import { DEVICES, STORY, expect, test } from './fixtures.js';

const DEVICE_NAME = { webgpu: 'WebGPU', wasm: 'WASM' } as const;

for (const device of DEVICES) {
  test(`${device}: loads with progress, streams an answer word by word, keeps and clears the conversation`, async ({ page }) => {
    // Every load phase and status line, from the very start of the page.
    await page.addInitScript(() => {
      const seen = { phases: [] as string[], texts: [] as string[] };
      Object.assign(window, { loadSeen: seen });
      new MutationObserver(() => {
        const phase = document.getElementById('load')?.dataset['phase'];
        const text = document.getElementById('load-text')?.textContent ?? '';
        if (phase && seen.phases.at(-1) !== phase) seen.phases.push(phase);
        if (seen.texts.at(-1) !== text) seen.texts.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    const demo = new DemoPage(page);
    await demo.open(`?device=${device}`);
    await expect(demo.load.locator('.badge')).toHaveText(DEVICE_NAME[device]);
    await expect(demo.loadText).toContainText('zstream-tiny-story');
    await expect(demo.loadText).toContainText(/loaded in [\d.]+ m?s/);
    const load = await page.evaluate(() => (window as unknown as { loadSeen: { phases: string[]; texts: string[] } }).loadSeen);
    expect(load.phases).toEqual(expect.arrayContaining(['download', 'compile', 'warmup', 'ready']));
    expect(load.phases.at(-1)).toBe('ready');
    expect(load.texts.some((t) => /^Downloading onnx\/model\.onnx · [\d,.]+ KB of 600 KB$/.test(t))).toBe(true);
    await expect(page.locator('#load-bar')).toBeHidden();
    // The message box has the focus: a visitor can type at once.
    await expect(demo.input).toBeFocused();

    const recording = await demo.recordNextAnswer();
    await demo.say('Tell me a story');
    await expect(demo.log.locator('.message.user .text')).toHaveText(['Tell me a story']);
    await expect(demo.stop).toBeVisible();
    const first = await demo.finished();
    expect(first.text).toBe(STORY);
    const seen = await recording();
    expect(seen.states).toEqual(['waiting', 'streaming', 'done']);
    expect(seen.typingShownBeforeText).toBe(true);
    expect(seen.cursorWhileStreaming.length).toBeGreaterThan(0);
    expect(seen.cursorWhileStreaming.every((c) => c.startsWith('"▍"'))).toBe(true);
    // Word by word: several steps (the pacing itself is unit-tested), each a prefix of the story
    // that ends at a word boundary.
    const shown = seen.texts.filter((t) => t !== '');
    expect(shown.length).toBeGreaterThanOrEqual(5);
    for (const text of shown) {
      expect(STORY.startsWith(text)).toBe(true);
      expect(STORY.slice(text.length)).toMatch(/^(\s|$)/u);
    }
    // The cursor goes once the answer is complete; Send is back.
    await expect(demo.send).toBeVisible();
    expect(await demo.answer(0).locator('.text').evaluate((e) => getComputedStyle(e, '::after').content)).toBe('none');
    const stats = parseStats(first.stats);
    expect(stats).toMatchObject({ promptTokens: 34, completionTokens: 32 });
    expect(stats.ttftMs).toBeGreaterThan(0);
    expect(stats.tokensPerSecond).toBeGreaterThan(0);

    // Shift+Enter is a new line, not a send.
    await demo.input.fill('line one');
    await demo.input.press('Shift+Enter');
    await demo.input.pressSequentially('line two');
    await expect(demo.input).toHaveValue('line one\nline two');
    await expect(demo.log.locator('.message.user')).toHaveCount(1);
    await demo.input.press('Enter');
    await expect(demo.input).toHaveValue('');
    await expect(demo.log.locator('.message.user').nth(1).locator('.text')).toHaveText('line one\nline two');
    const second = await demo.finished(1);
    expect(second.text).toBe(STORY);
    // Multi-turn: the first question and answer went along with the second question.
    expect(parseStats(second.stats).promptTokens).toBeGreaterThan(34 + 32);

    await page.getByRole('button', { name: 'Clear conversation' }).click();
    await expect(demo.log.locator('.message')).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Chat with a model that runs in this tab' })).toBeVisible();
    await demo.say('Tell me a story');
    expect(parseStats((await demo.finished(0)).stats).promptTokens).toBe(34);
  });
}

// Stopping needs a generation still under way when the button is pressed: on WebGPU (SwiftShader)
// the 32 tokens take about half a second; WASM finishes them in a few milliseconds.
test('webgpu: Stop ends the answer at once, and the next message streams right away', async ({ page }) => {
  const demo = new DemoPage(page);
  await demo.open('?device=webgpu');
  const generated = () => page.evaluate(async () => {
    const { zstreamDemo } = window as unknown as { zstreamDemo: { engine(): Promise<import('../src/index.js').Engine> } };
    return (await (await zstreamDemo.engine()).stats?.());
  });
  const before = await generated();
  await demo.say('Tell me a story');
  await expect(demo.answer(0).locator('.text')).not.toBeEmpty();
  await demo.stop.click();

  const stopped = demo.answer(0);
  await expect(stopped).toHaveAttribute('data-state', 'stopped');
  await expect(demo.send).toBeVisible();
  await expect(demo.stop).toBeHidden();
  await expect(stopped.locator('.stats')).toHaveText(/^Stopped · TTFT [\d.]+ m?s · \d+ chunks received$/);
  const partial = await stopped.locator('.text').innerText();
  expect(STORY.startsWith(partial)).toBe(true);
  expect(partial.length).toBeLessThan(STORY.length);
  // The stream was cut before its end: fewer chunks arrived than the whole story has.
  const chunks = Number(/(\d+) chunks/.exec(await stopped.locator('.stats').innerText())?.[1]);
  expect(chunks).toBeLessThan(STORY.split(' ').length);
  // Nothing more is shown after Stop; the worker lets go of the request (its step in flight may
  // finish first on a busy machine) without generating the rest of the story.
  await expect.poll(async () => (await generated())?.running).toBe(0);
  const after = await generated();
  expect(after?.queued).toBe(0);
  expect(after!.generatedTokens - before!.generatedTokens).toBeLessThan(32);
  await page.waitForTimeout(500);
  await expect(stopped.locator('.text')).toHaveText(partial);

  // Send again at once: the next answer streams whole; the partial answer is in the history.
  await demo.say('Tell me a story');
  const next = await demo.finished(1);
  expect(next.text).toBe(STORY);
  expect(parseStats(next.stats).promptTokens).toBeGreaterThan(34);

  // Escape stops too, from the keyboard.
  await demo.say('Once more');
  await expect(demo.answer(2).locator('.text')).not.toBeEmpty();
  await page.keyboard.press('Escape');
  await expect(demo.answer(2)).toHaveAttribute('data-state', 'stopped');
  await expect(demo.input).toBeFocused();
});

test('wasm: a request the endpoint rejects shows its error in the conversation, and the chat goes on', async ({ page }) => {
  const demo = new DemoPage(page);
  await demo.open('?device=wasm');
  await page.getByText('Settings').click();
  await page.getByLabel('Max tokens').fill('5000');
  await demo.say('Tell me a story');

  await expect(demo.errors).toHaveCount(1);
  await expect(demo.errors.locator('.error-title')).toHaveText('The endpoint answered 400 (context_length_exceeded)');
  await expect(demo.errors.locator('.error-detail')).toContainText("This model's maximum context length is 2048 tokens");
  await expect(demo.errors.locator('.error-detail')).toContainText('Lower Max tokens in Settings, or clear the conversation.');
  // No empty answer is left behind: the user's message, then the error.
  await expect(demo.answers).toHaveCount(0);
  await expect(demo.send).toBeVisible();

  await page.getByLabel('Max tokens').fill('');
  await demo.say('Tell me a story');
  const { text, stats } = await demo.finished(0);
  expect(text).toBe(STORY);
  // The failed turn stayed out of the history.
  expect(parseStats(stats).promptTokens).toBe(34);

  await page.getByLabel('Max tokens').fill('5');
  await demo.say('Tell me a story');
  const short = await demo.finished(1);
  expect(STORY.startsWith(short.text)).toBe(true);
  expect(short.stats).toMatch(/5 completion tokens · cut off at max tokens$/);
});

test('wasm: a model that fails to load says why in the conversation; Try again loads it', async ({ page }) => {
  await page.route('**/zstream-tiny-story/onnx/model.onnx', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  const demo = new DemoPage(page);
  // Playwright's routes do not reach a SharedWorker's requests: this tab runs its own worker.
  await page.goto('/?device=wasm&shared=0');
  await expect(demo.load).toHaveAttribute('data-phase', 'failed');
  await expect(demo.loadText).toHaveText('zstream-tiny-story did not load. The conversation says why; pick a model to try again.');
  await expect(demo.errors.locator('.error-title')).toHaveText('The model could not be loaded');
  await expect(demo.errors.locator('.error-detail')).toContainText('onnx/model.onnx');
  await demo.say('Tell me a story');
  await expect(demo.errors.nth(1)).toContainText('No model to answer');

  await page.unroute('**/zstream-tiny-story/onnx/model.onnx');
  await demo.errors.first().getByRole('button', { name: 'Try again' }).click();
  await demo.ready();
  await demo.say('Tell me a story');
  expect((await demo.finished()).text).toBe(STORY);
});

test('wasm: the picker lists the registry, explains a failed download, and works offline', async ({ page, context }) => {
  // No model hub is reachable from the test machines: fail its requests at once, as an outage would.
  await page.route(/^https:\/\/huggingface\.co\//, (route) => route.abort('internetdisconnected'));
  const demo = new DemoPage(page);
  await demo.open('?device=wasm');
  const picker = page.getByLabel('Model', { exact: true });
  await expect(picker).toHaveValue('zstream-tiny-story');
  const option = (id: string) => picker.locator(`option[value="${id}"]`);
  await expect(option('zstream-tiny-story')).toHaveText('Tiny story (embedded)');
  await expect(option('SmolLM2-135M-Instruct')).toBeEnabled();
  // WebLLM runs on WebGPU only: not offered while the device is WASM.
  await expect(option('SmolLM2-360M-Instruct-MLC')).toBeDisabled();
  await expect(option('SmolLM2-360M-Instruct-MLC')).toHaveText(/needs WebGPU/);

  await picker.selectOption('SmolLM2-135M-Instruct');
  await expect(page).toHaveURL(/[?&]model=SmolLM2-135M-Instruct(&|$)/);
  await expect(demo.load).toHaveAttribute('data-phase', 'failed');
  await expect(demo.errors.locator('.error-title')).toHaveText('The model could not be loaded');
  await expect(demo.errors.locator('.error-detail')).toContainText('SmolLM2-135M-Instruct');

  await picker.selectOption('zstream-tiny-story');
  await demo.ready();
  await context.setOffline(true);
  const offline = picker.locator('option', { hasText: '(offline)' });
  await expect(offline).toHaveCount((await picker.locator('option').count()) - 1);
  for (const hub of await offline.all()) await expect(hub).toBeDisabled();
  await demo.say('Tell me a story');
  expect((await demo.finished()).text).toBe(STORY);
});

test('wasm: a message sent while the model loads waits for it, then streams', async ({ page }) => {
  const demo = new DemoPage(page);
  await page.goto('/?device=wasm');
  await demo.say('Tell me a story');
  // Sent before the model was ready (loading takes a second or more here).
  await expect(demo.load).not.toHaveAttribute('data-phase', 'ready', { timeout: 1 });
  await expect(demo.answer(0)).toHaveAttribute('data-state', 'waiting');
  await expect(demo.answer(0).locator('.typing')).toBeVisible();
  expect((await demo.finished()).text).toBe(STORY);
  await demo.ready();
});

test('wasm: on a narrow screen everything fits and works', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 375, height: 720 });
  const demo = new DemoPage(page);
  await demo.open('?device=wasm');
  await demo.say('Tell me a story');
  expect((await demo.finished()).text).toBe(STORY);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  for (const control of [demo.input, demo.send, page.getByLabel('Model', { exact: true }), page.getByLabel('Device', { exact: true })]) {
    await expect(control).toBeInViewport();
  }
  await testInfo.attach('narrow.png', { body: await page.screenshot(), contentType: 'image/png' });
});
