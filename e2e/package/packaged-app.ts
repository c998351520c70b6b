// Setup for e2e/package.spec.ts: the package as a user gets it. `npm pack` (which builds dist/
// through `prepack`), then a fresh folder outside the repo with the tarball, vite and openai
// installed from the npm registry (the local cache first), and three servers on it:
//   viteDev      `vite` on a fresh Vite app (e2e/package/vite-app + app.js)
//   vitePreview  the same app after `vite build`, served by `vite preview`
//   plain        a static file server (sirv) for a page with an import map and no build step,
//                and for partial/ (the runtime files without the .wasm, for the missing-file test)
// plus typed/, a strict TypeScript app for the package's .d.ts. The folder is removed afterwards;
// in the repo, only dist/ (and the generated model) are written.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sirv from 'sirv';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const fixtures = join(repo, 'e2e/package');

export interface PackagedApp {
  /** The folder the app lives in (removed by `close`). */
  dir: string;
  tarball: { path: string; bytes: number; files: string[] };
  urls: { viteDev: string; vitePreview: string; plain: string };
  close(): Promise<void>;
}

async function packTarball(dir: string): Promise<PackagedApp['tarball']> {
  await run('npm', ['pack', '--pack-destination', dir, '--loglevel', 'error'], { cwd: repo, maxBuffer: 64 << 20 });
  const name = (await readdir(dir)).find((file) => file.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack wrote no tarball into ${dir}`);
  const path = join(dir, name);
  const { stdout } = await run('tar', ['-tzf', path]);
  return { path, bytes: (await stat(path)).size, files: stdout.split('\n').filter(Boolean) };
}

/** The versions this repo tests with, so that the install comes from the local npm cache. */
async function devVersion(name: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const version = pkg.devDependencies[name];
  if (!version) throw new Error(`package.json has no devDependency ${name}`);
  return `${name}@${version}`;
}

/** A strict TypeScript app with skipLibCheck off, for typed-usage.ts. */
const TYPED_APP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false, noEmit: true, types: [],
  },
  files: ['typed-usage.ts'],
};

async function writeApp(dir: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'zstream-user-app', private: true, type: 'module' }));
  for (const app of ['vite-app', 'plain']) {
    await mkdir(join(dir, app));
    await cp(join(fixtures, app, 'index.html'), join(dir, app, 'index.html'));
    await cp(join(fixtures, 'app.js'), join(dir, app, 'app.js'));
  }
  await cp(join(fixtures, 'vite-app/vite.config.js'), join(dir, 'vite-app/vite.config.js'));
  await mkdir(join(dir, 'typed'));
  await cp(join(fixtures, 'typed-usage.ts'), join(dir, 'typed/typed-usage.ts'));
  await writeFile(join(dir, 'typed/tsconfig.json'), JSON.stringify(TYPED_APP_TSCONFIG));
}

/** Type-checks typed/typed-usage.ts with this repo's TypeScript; resolves to its diagnostics. */
export async function typeCheckApp(dir: string): Promise<string> {
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  return run(process.execPath, [tsc, '-p', join(dir, 'typed')]).then(
    () => '',
    (error: { stdout?: string }) => error.stdout || String(error),
  );
}

/** Resolves once `url` answers 200; rejects if `server` exits first or it takes a minute. */
async function ready(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server for ${url} exited with ${server.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up within a minute`);
}

function startVite(dir: string, args: string[]): ChildProcess {
  const server = spawn(join(dir, 'node_modules/.bin/vite'), args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  server.on('error', (error) => console.error(`vite ${args.join(' ')}:`, error));
  return server;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, 'localhost', () => resolve());
  });
}

/** Packs, installs and serves the app; `basePort` + 1, + 2, + 3 must be free. */
export async function setUpPackagedApp(basePort: number): Promise<PackagedApp> {
  const dir = await mkdtemp(join(tmpdir(), 'zstream-package-'));
  const children: ChildProcess[] = [];
  let plain: Server | undefined;
  const close = async () => {
    for (const child of children) child.kill();
    await new Promise((r) => (plain ? plain.close(r) : r(undefined)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const tarball = await packTarball(dir);
    await writeApp(dir);
    const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error'];
    await run('npm', [...install, tarball.path, await devVersion('vite'), await devVersion('openai')], { cwd: dir });
    await run(join(dir, 'node_modules/.bin/vite'), ['build', 'vite-app', '--logLevel', 'error'], { cwd: dir });
    // partial/: the runtime files but ONNX Runtime's .wasm, as a deploy that forgot one.
    const dist = join(dir, 'node_modules/zstream/dist');
    await cp(join(dist, 'models'), join(dir, 'partial/models'), { recursive: true });
    await cp(join(dist, 'ort-wasm-simd-threaded.asyncify.mjs'), join(dir, 'partial/ort-wasm-simd-threaded.asyncify.mjs'));

    const [dev, preview, plainPort] = [basePort + 1, basePort + 2, basePort + 3];
    const urls = {
      viteDev: `http://localhost:${dev}/`,
      vitePreview: `http://localhost:${preview}/`,
      plain: `http://localhost:${plainPort}/plain/`,
    };
    children.push(startVite(dir, ['vite-app', '--port', `${dev}`, '--strictPort']));
    children.push(startVite(dir, ['preview', 'vite-app', '--port', `${preview}`, '--strictPort']));
    // The plain page is served as any static host would: files as they are, 404 for missing ones.
    // …plus the one header installServiceWorker() needs: its script may control the whole site.
    plain = createServer(sirv(dir, { dev: true, setHeaders: (res) => res.setHeader('Service-Worker-Allowed', '/') }));
    await listen(plain, plainPort);
    await Promise.all([ready(urls.viteDev, children[0]!), ready(urls.vitePreview, children[1]!)]);
    return { dir, tarball, urls, close };
  } catch (error) {
    await close();
    throw error;
  }
}
