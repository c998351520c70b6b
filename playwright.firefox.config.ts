// The Firefox ESR run (npm run test:firefox): the specs that cover the public API on WASM, shared
// with Chromium's run, plus Firefox's own checks in e2e/firefox/. Firefox is Debian's, driven by
// puppeteer-core over WebDriver BiDi (docs/browsers.md says why not Playwright's Firefox).
import { defineConfig } from '@playwright/test';
import type { BrowserOptions } from './e2e/firefox/fixtures.js';
import { shared } from './playwright.config.js';

// Read by e2e/fixtures.ts in this process and the workers it starts: `page` becomes Firefox's.
process.env.ZSTREAM_E2E_BROWSER = 'firefox';

const SHARED_SPECS = ['core.spec.ts', 'conformance.spec.ts', 'flow.spec.ts'];
const FIREFOX_SPECS = /\/e2e\/firefox\/[^/]+\.spec\.ts$/;

export default defineConfig<BrowserOptions>({
  ...shared,
  projects: [
    {
      name: 'firefox',
      testMatch: [...SHARED_SPECS, FIREFOX_SPECS],
      grep: /\bwasm\b|firefox\//,
      // Firefox has no Long Tasks API (PerformanceObserver 'longtask'): that check would pass unseen.
      grepInvert: /no long task/,
    },
    { name: 'firefox, pull by id', testMatch: 'flow.spec.ts', grep: /\bwasm\b/, grepInvert: /no long task/, use: { transferableStreams: false } },
  ],
});
