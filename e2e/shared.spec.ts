// createEngine({ shared: true }) with two pages in one browser context: one SharedWorker holds the
// one model (no dedicated model worker), the second page loads nothing, both stream at once, a page
// that closes mid-stream frees its requests at once, a killed worker is recovered for both pages,
// and where SharedWorker is missing the engine falls back to a dedicated worker and says why.
import type { BrowserContext, Page } from '@playwright/test';
import { STORY, expect, test, type DeviceName } from './fixtures.js';
import { MESSAGES } from './flow-helpers.js';

interface SharedOptions {
  runAhead?: number;
  stallTimeoutMs?: number;
  maxRunning?: number;
  /** The test SharedWorker (worker/test-shared-entry.ts), for engineTestHooks; default: the package's. */
  testWorker?: boolean;
}

/** Opens the harness and creates a shared `window.engine`; resolves with its model and the load progress it heard. */
async function openShared(page: Page, device: DeviceName, { runAhead = 1, stallTimeoutMs, maxRunning, testWorker = false }: SharedOptions = {}) {
  await page.goto('/e2e/harness.html');
  await page.waitForFunction(() => window.harnessReady === true);
  return page.evaluate(async ({ device, runAhead, stallTimeoutMs, maxRunning, testWorker }) => {
    const phases: string[] = [];
    const started = performance.now();
    const create = testWorker ? window.zstreamTesting.createTestEngine : window.zstream.createEngine;
    window.engine = await create({
      device, modelBaseURL: '/models/', shared: true, runAhead, stallTimeoutMs, maxRunning, onProgress: (p) => phases.push(p.phase),
    });
    return { model: window.engine.model, phases, readyMs: performance.now() - started };
  }, { device, runAhead, stallTimeoutMs, maxRunning, testWorker });
}

const withHooks: SharedOptions = { testWorker: true };
/**
 * For the fault tests: one request runs at a time, so that B's request really waits behind A's
 * paused one when the fault comes (interleaved, it could run to its end before the fault).
 */
const oneAtATime: SharedOptions = { ...withHooks, maxRunning: 1 };

/** The browser's shared workers, as DevTools lists its targets. */
async function sharedWorkers(context: BrowserContext): Promise<string[]> {
  const cdp = await context.browser()!.newBrowserCDPSession();
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; title: string }[] };
  await cdp.detach();
  return targetInfos.filter((t) => t.type === 'shared_worker').map((t) => t.title);
}

type TargetInfo = { type: string; targetId: string; title: string };

/**
 * The browser's shared workers once there are `count` of them, by DevTools' target events: a worker
 * that closed itself is listed until the browser has ended it, a moment after its tabs moved on.
 */
async function untilSharedWorkers(context: BrowserContext, count: number, timeoutMs = 30_000): Promise<string[]> {
  const cdp = await context.browser()!.newBrowserCDPSession();
  const workers = new Map<string, string>();
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const check = () => workers.size === count && settle();
  cdp.on('Target.targetCreated', ({ targetInfo }: { targetInfo: TargetInfo }) => {
    if (targetInfo.type === 'shared_worker') workers.set(targetInfo.targetId, targetInfo.title);
    check();
  });
  cdp.on('Target.targetDestroyed', ({ targetId }: { targetId: string }) => {
    workers.delete(targetId);
    check();
  });
  await cdp.send('Target.setDiscoverTargets', { discover: true }); // lists the present targets first
  check();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ${count} shared workers after ${timeoutMs} ms: ${JSON.stringify([...workers.values()])}`)), timeoutMs);
  });
  try {
    await Promise.race([settled, late]);
    return [...workers.values()];
  } finally {
    clearTimeout(timer);
    await cdp.detach();
  }
}

/** The model and runtime files the shared worker fetched (its resource timing, read over DevTools). */
async function sharedWorkerFetches(context: BrowserContext): Promise<string[]> {
  const cdp = await context.browser()!.newBrowserCDPSession();
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; targetId: string }[] };
  const target = targetInfos.find((t) => t.type === 'shared_worker')!;
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as { sessionId: string };
  const answer = new Promise<string>((resolve) => {
    cdp.on('Target.receivedMessageFromTarget', (event: { message: string }) => {
      const message = JSON.parse(event.message) as { id?: number; result?: { result: { value: string } } };
      if (message.id === 1) resolve(message.result!.result.value);
    });
  });
  const expression = "JSON.stringify(performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /zstream-tiny-story|\\.wasm$/.test(u)))";
  await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression } }) });
  const urls = JSON.parse(await answer) as string[];
  await cdp.detach();
  return urls;
}

type Paused = { resume: () => Promise<string> };

/** Starts a stream and reads its first deltas; the rest waits unread (runAhead 1 keeps the model held). */
const startStream = (page: Page) =>
  page.evaluate(async (messages) => {
    const stream = window.engine.chatStream(messages);
    const iterator = stream[Symbol.asyncIterator]();
    let text = '';
    for (let i = 0; i < 3; i++) text += (await iterator.next()).value ?? '';
    (window as unknown as Paused).resume = async () => {
      try {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) text += r.value;
        return text;
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    };
    return text;
  }, MESSAGES);

/** Reads the paused stream to its end: its text, or `error: …`. */
const resume = (page: Page) => page.evaluate(() => (window as unknown as Paused).resume());

const device: DeviceName = 'wasm';

test.describe('shared engine', () => {
  test(`[${device}] two pages, one SharedWorker: the second loads nothing, both stream at once`, async ({ context }) => {
    const a = await context.newPage();
    const b = await context.newPage();
    const first = await openShared(a, device);
    const fetchedByFirst = await sharedWorkerFetches(context);
    const second = await openShared(b, device);
    expect(first.model).toMatchObject({ shared: true, device });
    expect(second.model).toMatchObject({ shared: true, device });
    expect(first.phases).toContain('ready');
    expect(second.phases).toEqual([]); // nothing to load: it attached to a loaded model
    expect(fetchedByFirst.some((url) => url.endsWith('/onnx/model.onnx'))).toBe(true);
    expect(await sharedWorkerFetches(context)).toEqual(fetchedByFirst); // the second page's engine fetched nothing
    console.log(`second tab ready in ${second.readyMs.toFixed(0)} ms (first: ${first.readyMs.toFixed(0)} ms)`);

    expect(await sharedWorkers(context)).toHaveLength(1);
    expect(a.workers()).toHaveLength(0); // no dedicated model worker in either page
    expect(b.workers()).toHaveLength(0);

    const chat = (page: Page) => page.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES);
    const [textA, textB] = await Promise.all([chat(a), chat(b)]);
    expect(textA).toBe(STORY);
    expect(textB).toBe(STORY);
    const stats = await b.evaluate(() => window.engine.stats!());
    expect(stats).toMatchObject({ connections: 2, openKvCaches: 0, running: 0 });
  });

  test(`[${device}] a page that closes mid-stream frees its request at once; the other page is served`, async ({ context }) => {
    const a = await context.newPage();
    const b = await context.newPage();
    await openShared(a, device, withHooks);
    await openShared(b, device, withHooks);
    expect(STORY.startsWith(await startStream(a))).toBe(true);
    // B's request waits behind A's, which holds the model until A's reader reads on or goes away.
    const waiting = b.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES);
    const queued = await b.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.queued === 0 && s.running === 1));
    expect(queued.openKvCaches).toBe(1);
    await a.close();
    expect(await waiting).toBe(STORY);
    const stats = await b.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.connections === 1 && s.openKvCaches === 0));
    expect(stats).toMatchObject({ connections: 1, openKvCaches: 0, running: 0, workerRestarts: 0 });
  });

  test(`[${device}] a killed SharedWorker is replaced once for both pages; waiting requests are kept`, async ({ context }) => {
    const a = await context.newPage();
    const b = await context.newPage();
    await openShared(a, device, oneAtATime);
    await openShared(b, device, oneAtATime);
    expect(STORY.startsWith(await startStream(a))).toBe(true);
    const waiting = b.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES);
    await b.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.running === 1));
    await a.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).crashWorker());
    // A's running stream ends with the crash; B's waiting request runs in the new worker.
    expect(await resume(a)).toMatch(/^error: .*worker stopped/);
    expect(await waiting).toBe(STORY);
    const again = await a.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES);
    expect(again).toBe(STORY);
    await untilSharedWorkers(context, 1); // the killed one is gone
    for (const page of [a, b]) {
      // A tab may still be re-attaching after it was served: wait for the event, not a fixed time.
      const stats = await page.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.connections === 2, 15_000));
      expect(stats).toMatchObject({ workerRestarts: 1, connections: 2, openKvCaches: 0 });
    }
  });

  test(`[${device}] a hung SharedWorker: the stall timeout fails the running stream, both pages move to a new worker`, async ({ context }) => {
    test.slow();
    const a = await context.newPage();
    const b = await context.newPage();
    await openShared(a, device, { ...oneAtATime, stallTimeoutMs: 1000 });
    await openShared(b, device, { ...oneAtATime, stallTimeoutMs: 1000 });
    expect(STORY.startsWith(await startStream(a))).toBe(true);
    // B's request waits behind A's: no stall clock runs for it, only the heartbeat can free it.
    const waiting = b.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES);
    await b.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.running === 1));
    await a.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).hangWorker());
    expect(await resume(a)).toMatch(/^error: .*made no progress for 1000 ms/);
    expect(await waiting).toBe(STORY);
    expect(await a.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES)).toBe(STORY);
    for (const page of [a, b]) {
      // A moves on once its stall timeout ends its stream, B once its heartbeat goes unanswered (up to 20 s).
      const stats = await page.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.connections === 2, 30_000));
      expect(stats).toMatchObject({ connections: 2, openKvCaches: 0 });
      expect(await page.evaluate(() => window.engine.model.shared)).toBe(true);
    }
    // The hung worker stays (no tab can end it) with no tab attached; the new one serves both.
    await untilSharedWorkers(context, 2);
  });

  // The worker tells both pages and closes itself; both move to one new worker, by the next name:
  // a page that attached by the old name could land on the closing worker, which drops it unheard.
  const failures = [
    { on: 'webgpu', title: 'a lost GPU device', fault: 'loseDevice', error: /^error: (The GPU device was lost|The model failed while generating)/ }, // whichever the page reads first
    { on: device, title: 'a failed backend', fault: 'failBackend', error: /^error: The model failed while generating: an injected failure/ },
  ] as const;
  for (const { on, title, fault, error } of failures) {
    test(`[${on}] ${title} in the SharedWorker: both pages hear it, one new worker serves both`, async ({ context }) => {
      // Known issue (docs/multi-tab.md): on WebGPU (SwiftShader, a busy machine) about 1 run in 5 still
      // ends with one page off the new worker. The race with the closing worker is fixed; this one is not found yet.
      test.fixme(on === 'webgpu' && !!process.env['CI'], 'one page can still end off the new worker (about 1 run in 5)');
      test.slow();
      const a = await context.newPage();
      const b = await context.newPage();
      expect((await openShared(a, on, oneAtATime)).model).toMatchObject({ shared: true, device: on });
      expect((await openShared(b, on, oneAtATime)).model).toMatchObject({ shared: true, device: on });
      expect(STORY.startsWith(await startStream(a))).toBe(true);
      const waiting = b.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES);
      await b.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.running === 1));
      // Not awaited in the page: a failed backend closes the worker before the call can answer.
      await a.evaluate((fault) => void window.zstreamTesting.engineTestHooks(window.engine)[fault]().catch(() => undefined), fault);
      expect(await resume(a)).toMatch(error);
      expect(await waiting).toBe(STORY);
      expect(await a.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES)).toBe(STORY);
      await untilSharedWorkers(context, 1); // the failed one ends, a moment after both pages moved on
      for (const page of [a, b]) {
        // A tab may still be re-attaching after it was served: wait for the event, not a fixed time.
        const stats = await page.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).statsWhen((s) => s.connections === 2, 15_000));
        expect(stats).toMatchObject({ workerRestarts: 1, connections: 2, openKvCaches: 0 });
        expect(await page.evaluate(() => window.engine.model)).toMatchObject({ shared: true, device: on });
      }
    });
  }

  test(`[${device}] the demo in two tabs: one model, and each tab says it shares it`, async ({ context }) => {
    const a = await context.newPage();
    await a.goto(`/?device=${device}`);
    await expect(a.locator('#sharing')).toHaveText('Shared worker: open another tab to share this model');
    const b = await context.newPage();
    await b.goto(`/?device=${device}`);
    await expect(b.locator('#sharing')).toHaveText('Shared with 1 other tab');
    await expect(a.locator('#sharing')).toHaveText('Shared with 1 other tab');
    expect(await sharedWorkers(context)).toHaveLength(1);
    await b.close();
    await expect(a.locator('#sharing')).toHaveText('Shared worker: open another tab to share this model');
  });

  test(`[${device}] without SharedWorker: a dedicated worker, and engine.model says why`, async ({ page }) => {
    await page.addInitScript(() => {
      delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
    });
    const { model } = await openShared(page, device);
    expect(model).toMatchObject({ shared: false, sharedFallbackReason: 'SharedWorker is not available in this browser', device });
    expect(page.workers()).toHaveLength(1);
    expect(await page.evaluate((messages) => window.engine.chat(messages).then((r) => r.text), MESSAGES)).toBe(STORY);
  });
});
