// How every tool here launches Firefox: Debian's Firefox ESR (never a downloaded browser), headless,
// driven over WebDriver BiDi by puppeteer-core. Used by the Firefox e2e run (e2e/firefox/) and the
// benchmark (bench/runner). Playwright's own BiDi client needs commands ESR 153 lacks
// (emulation.setMediaFeaturesOverride), and its patched Firefox cannot be downloaded here.
import puppeteer from 'puppeteer-core';

export const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Preferences of every profile: this machine's network is closed, so no background connections. */
export const firefoxPrefs = {
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

/**
 * Headless Firefox with a fresh profile. `prefs` adds to firefoxPrefs, e.g.
 * `{ 'dom.webgpu.enabled': true }` to expose navigator.gpu.
 * @param {Record<string, unknown>} [prefs]
 */
export function launchFirefox(prefs = {}) {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    extraPrefsFirefox: { ...firefoxPrefs, ...prefs },
  });
}
