// How every tool here launches Chromium: the system binary (Debian's; never a downloaded browser),
// headless, with WebGPU on SwiftShader where there is no GPU. Used by playwright.config.ts, the
// benchmark (bench/runner) and docs/take-screenshots.mjs.
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  // This machine's network is closed: no background connections to refuse.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
