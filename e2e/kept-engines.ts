// One loaded engine for the tests of a block that only send it requests. A load is most of such a
// test's time (6–8 s on WASM, 25–30 s on WebGPU over SwiftShader, docs/testing.md), so a block opts
// in with `test.use({ sharedEngine: { device } })` and its tests get the same page, loaded once.
// The page lives until a test of another spec file begins (`enter`), or the worker ends; a failed
// test ends the worker (Playwright), so the next test gets a page of its own. Not for the pull-by-id
// projects: their page setting (e2e/transfer.ts) is checked per test, on the test's own page.
import { expect, type Page } from '@playwright/test';

export const DEVICES = ['webgpu', 'wasm'] as const;
export type DeviceName = (typeof DEVICES)[number];

/** What a block's shared page loads: the harness page (or another that sets `harnessReady`), the device and the model. */
export interface SharedEngine {
  device: DeviceName;
  harness?: string;
  /** A model of public/models by folder name; the embedded story model when absent. */
  model?: string;
}

/** Opens the harness, or another page that sets `harnessReady`. */
export async function openHarness(page: Page, harness = '/e2e/harness.html'): Promise<void> {
  await page.goto(harness);
  await page.waitForFunction(() => window.harnessReady === true);
}

/** Opens the harness (or another page that sets `harnessReady`) and creates `window.engine` on `device`. */
export async function openEngine(page: Page, device: DeviceName, harness = '/e2e/harness.html', model?: string): Promise<void> {
  await openHarness(page, harness);
  const info = await page.evaluate(async ({ device, model }) => {
    window.engine = await window.zstream.createEngine({ device, modelBaseURL: '/models/', ...(model ? { model } : {}) });
    return window.engine.model;
  }, { device, model });
  expect(info.device).toBe(device);
}

interface Kept {
  page: Page;
  close: () => Promise<void>;
}

/** The worker's kept pages, by spec file and engine: those of an earlier file are closed when a test of the next one begins. */
export class KeptEngines {
  private file: string | undefined;
  private readonly pages = new Map<string, Promise<Kept>>();

  constructor(private readonly open: () => Promise<Kept>) {}

  /** The page of `engine` for the current file (see `enter`), loaded at the first test that asks. */
  async page(engine: SharedEngine, transferableStreams: boolean): Promise<Page> {
    if (!transferableStreams) throw new Error('a shared engine is not kept for the pull-by-id projects (e2e/transfer.ts)');
    const key = JSON.stringify([engine.device, engine.harness, engine.model]);
    let kept = this.pages.get(key);
    if (!kept) {
      kept = this.open().then(async (opened) => {
        await openEngine(opened.page, engine.device, engine.harness, engine.model);
        return opened;
      });
      this.pages.set(key, kept);
    }
    return (await kept).page;
  }

  /** A test of `file` begins: pages kept for another file are closed (their engines stop using memory and the GPU). */
  async enter(file: string): Promise<void> {
    if (file === this.file) return;
    this.file = file;
    await this.closeAll();
  }

  async closeAll(): Promise<void> {
    const kept = [...this.pages.values()];
    this.pages.clear();
    await Promise.all(kept.map((k) => k.then((opened) => opened.close(), () => undefined)));
  }
}
