import { defineConfig } from '@playwright/test';
import type { BrowserOptions } from './e2e/firefox/fixtures.js';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

// E2E_PORT lets several checkouts run their suites side by side.
const port = Number(process.env.E2E_PORT ?? 5173);

/** What the Chromium and Firefox runs (playwright.firefox.config.ts) share. */
export const shared = defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: 'list',
  use: { baseURL: `http://localhost:${port}`, trace: 'off' },
  webServer: {
    command: `npx vite --port ${port} --strictPort`,
    env: { ZSTREAM_E2E: '1' },
    url: `http://localhost:${port}/e2e/harness.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});

export default defineConfig<BrowserOptions>({
  ...shared,
  testIgnore: /\/e2e\/firefox\//, // Firefox's own checks: playwright.firefox.config.ts
  use: { ...shared.use, launchOptions: { executablePath: chromiumPath, args: chromiumArgs } },
  projects: [
    { name: 'chromium' },
    // The flow-control checks once more in a page without transferable streams: the engine's
    // pull-by-id fallback (e2e/transfer.ts).
    { name: 'chromium, pull by id', testMatch: 'flow.spec.ts', grep: /\bwasm\b/, use: { transferableStreams: false } },
  ],
});
