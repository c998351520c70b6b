// Builds the npm package into dist/ (`npm run build:lib`; `npm pack` runs it first):
//   index.js                   the main-thread library, ESM (comlink bundled in)
//   worker.js, worker-*.js     the module worker; each backend a chunk it loads on demand
//                              (worker-transformers.js, worker-webllm.js: their libraries bundled in)
//   ort.webgpu.bundle.min.mjs, ort-wasm-simd-threaded.asyncify.{wasm,mjs}   ONNX Runtime, as shipped
//   models/zstream-tiny-story/ the embedded model
//   types/                     .d.ts for index.js
//   THIRD_PARTY_LICENSES.md    the licences of the bundled code
// index.js starts the worker with `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`
// and finds every runtime file with a literal `new URL('./…', import.meta.url)`: the forms Vite and
// webpack 5 follow in an app's dependencies, and that a browser resolves inside the package without one.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { thirdPartyLicenses } from './third-party-licenses.mjs';
import { COMPILE_HINT, startupCompileHint } from './compile-hints.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// ONNX Runtime's module ships as Microsoft builds it, not bundled: it refers to itself by file name
// (`let a = URL; new a('ort.webgpu.bundle.min.mjs', import.meta.url)`), which an app's webpack
// resolves, so a file of that name must sit next to the code (and rolldown's tree-shaking would fold
// it into a `new URL(…)` that Vite and webpack both chase). Next to it, its wasm (which it finds
// with `new URL('ort-wasm-simd-threaded.asyncify.wasm', import.meta.url)`) and the wasm's
// JavaScript glue, which src/default-assets.package.ts hands to it.
const ORT_MODULE = 'ort.webgpu.bundle.min.mjs';
const ORT_FILES = [ORT_MODULE, `${ORT_MODULE}.map`, 'ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs'];
const MODEL = 'zstream-tiny-story';

/** In the package, src/assets.ts takes its defaults from default-assets.package.ts (files next to index.js). */
const packageAssets = {
  name: 'zstream:package-assets',
  resolveId(source, importer) {
    if (source === './default-assets.js' && importer === join(root, 'src/models/assets.ts')) {
      return join(root, 'src/models/default-assets.package.ts');
    }
    return undefined;
  },
};

/** transformers.js imports ONNX Runtime as 'onnxruntime-web/webgpu': the file next to the worker. */
const ortAsShipped = {
  name: 'zstream:ort-as-shipped',
  resolveId(source) {
    return source === 'onnxruntime-web/webgpu' ? { id: join(dist, ORT_MODULE), external: true } : undefined;
  },
};

/**
 * @mlc-ai/web-xgrammar's Emscripten prologue imports Node's `module` in a branch only Node reaches:
 * a bare `import("module")` that an app's bundler would fail to resolve for the browser. In the
 * package it is a module that says so if it is ever reached.
 */
const NODE_ONLY = '\0zstream:node-only-module';
const nodeOnlyBuiltins = {
  name: 'zstream:node-only-builtins',
  resolveId(source, importer) {
    return source === 'module' && /[\\/]@mlc-ai[\\/]web-xgrammar[\\/]/.test(importer ?? '') ? NODE_ONLY : undefined;
  },
  load(id) {
    if (id !== NODE_ONLY) return undefined;
    return "export function createRequire() { throw new Error('zstream runs in a browser: Node\\'s module is not in the package'); }";
  },
};

/**
 * src/ starts its workers from their source; in the package they are files next to index.js: the
 * dedicated worker, the SharedWorker of createEngine({ shared: true }), and the service worker of
 * installServiceWorker() (self-contained: a bundler may copy it as a plain asset).
 */
const WORKER_FILES = { 'index.ts': 'worker.js', 'shared-entry.ts': 'shared-worker.js', 'service-worker.ts': 'service-worker.js' };
function builtWorkerURL() {
  const found = new Set();
  return {
    name: 'zstream:worker-url',
    transform(code, id) {
      if (!id.startsWith(join(root, 'src/'))) return undefined;
      let replaced = code;
      for (const [source, built] of Object.entries(WORKER_FILES)) {
        const pattern = new RegExp(`new URL\\((['"])\\.\\./\\.\\./worker/${source.replace('.', '\\.')}\\1, import\\.meta\\.url\\)`, 'g');
        const next = replaced.replace(pattern, `new URL('./${built}', import.meta.url)`);
        if (next !== replaced) found.add(source);
        replaced = next;
      }
      return replaced === code ? undefined : { code: replaced, map: null };
    },
    buildEnd() {
      const missing = Object.keys(WORKER_FILES).filter((source) => !found.has(source));
      if (missing.length) this.error(`no module in src/ starts worker/${missing.join(', worker/')} with new URL('../../worker/…', import.meta.url)`);
    },
  };
}

const shared = {
  platform: 'browser',
  resolve: { conditionNames: ['browser', 'import', 'default'] },
  logLevel: 'warn',
};
// Not minified: the app's bundler minifies, and ONNX Runtime's `/*webpackIgnore:true*/` comment on
// its dynamic import must survive for webpack.
// What runs at startup (index.js, worker.js and the model worker's chunk; not the lazy backends)
// starts with V8's compile hint: where a page loads the files as they are, the first request's code
// is compiled while they load (docs/first-token.md). An app's bundler drops it (the docs say how to keep it).
const output = { dir: dist, format: 'es', minify: false, comments: { legal: true, annotation: true, jsdoc: false }, postBanner: startupCompileHint };

/** A backend's lazy chunk is named by its folder: worker-transformers.js, worker-webllm.js. */
function workerChunkName(chunk) {
  const backend = /[\\/]worker[\\/]([\w-]+)[\\/]load\.ts$/.exec(chunk.facadeModuleId ?? '')?.[1];
  return backend ? `worker-${backend}.js` : 'worker-[name]-[hash].js';
}

async function bundle() {
  const main = await build({
    ...shared,
    input: { index: join(root, 'src/index.ts') },
    plugins: [packageAssets, builtWorkerURL()],
    output: { ...output, entryFileNames: '[name].js', chunkFileNames: 'index-[name]-[hash].js' },
    write: true,
  });
  const worker = await build({
    ...shared,
    input: { worker: join(root, 'worker/index.ts'), 'shared-worker': join(root, 'worker/shared-entry.ts') },
    plugins: [ortAsShipped, nodeOnlyBuiltins],
    output: { ...output, entryFileNames: '[name].js', chunkFileNames: workerChunkName, paths: { [join(dist, ORT_MODULE)]: `./${ORT_MODULE}` } },
    write: true,
  });
  const serviceWorker = await build({
    ...shared,
    input: { 'service-worker': join(root, 'worker/service-worker.ts') },
    output: { ...output, entryFileNames: '[name].js', codeSplitting: false },
    write: true,
  });
  if (serviceWorker.output.filter((file) => file.type === 'chunk').length !== 1) throw new Error('dist/service-worker.js must be one self-contained file');
  return [...main.output, ...worker.output, ...serviceWorker.output].filter((file) => file.type === 'chunk');
}

async function copyRuntimeFiles() {
  for (const file of ORT_FILES) await cp(join(root, 'node_modules/onnxruntime-web/dist', file), join(dist, file));
  const model = join(root, 'public/models', MODEL);
  if (!existsSync(join(model, 'config.json'))) throw new Error(`${model} is missing: run \`npm run model\` first`);
  await cp(model, join(dist, 'models', MODEL), { recursive: true });
}

/** Fails the build where the package would break in an app: a file it references is not in it. */
async function verify(chunks) {
  const index = await readFile(join(dist, 'index.js'), 'utf8');
  if (!/new Worker\(new URL\(["']\.\/worker\.js["'], import\.meta\.url\), \{/.test(index)) {
    throw new Error("dist/index.js does not start its worker with new Worker(new URL('./worker.js', import.meta.url), {…})");
  }
  for (const chunk of chunks.filter((c) => !c.isDynamicEntry)) {
    if (!chunk.code.startsWith(`${COMPILE_HINT}\n`)) throw new Error(`dist/${chunk.fileName} does not start with V8's compile hint (scripts/compile-hints.mjs)`);
  }
  for (const chunk of chunks) {
    if (chunk.code.includes('import.meta.env')) throw new Error(`dist/${chunk.fileName} uses import.meta.env (Vite only)`);
    const imports = [...chunk.imports, ...chunk.dynamicImports];
    // Every import is a file of the package (a chunk, or ONNX Runtime's module): no bare specifiers.
    const external = imports.filter((id) => !chunks.some((c) => c.fileName === id) && !(id.startsWith('./') && existsSync(join(dist, id))));
    if (external.length) throw new Error(`dist/${chunk.fileName} imports ${external.join(', ')}: it must be self-contained`);
  }
  for (const chunk of chunks) {
    for (const [, , url] of chunk.code.matchAll(/new URL\((["'])([^"']+)\1, import\.meta\.url\)/g)) {
      if (!existsSync(join(dist, url))) throw new Error(`dist/${chunk.fileName} refers to ${url}, which is not in dist/`);
    }
  }
}

/** What only zstream's own tests and bench may have (src/testing.ts, worker/test-*.ts): never in dist/. */
const TEST_HOOKS = /injectFault|recentStepTimes|stepTimes|requestQueue|createTestEngine|TestModelWorker|TestWorkerSession|test-entry|test-shared-entry|test-model-worker|exit-on-connect/;

/** Fails the build where a test hook reached the package: in its code or in its types. */
async function verifyNoTestHooks(chunks) {
  const files = [...chunks.map((c) => [c.fileName, c.code])];
  const types = await readdir(join(dist, 'types'), { recursive: true });
  for (const file of types.filter((f) => f.endsWith('.d.ts'))) files.push([`types/${file}`, await readFile(join(dist, 'types', file), 'utf8')]);
  for (const [name, text] of files) {
    const hook = TEST_HOOKS.exec(text);
    if (hook) throw new Error(`dist/${name} contains the test hook '${hook[0]}': test code must stay in src/testing.ts and worker/test-*.ts`);
  }
}

/**
 * Fails the build where the types would not resolve in an app: every module that dist/types/index.d.ts
 * reaches may import only other files of dist/types and the package's `dependencies` (comlink is one
 * for its types alone: the JavaScript bundles it).
 */
async function verifyTypes() {
  const { dependencies = {} } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const seen = new Set();
  const visit = async (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const [, , specifier] of text.matchAll(/(?:from|import\()\s*(['"])([^'"]+)\1/g)) {
      if (specifier.startsWith('.')) await visit(join(dirname(file), specifier.replace(/\.js$/, '.d.ts')));
      else if (!(specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/') in dependencies)) {
        throw new Error(`dist/types/${file.slice(join(dist, 'types').length + 1)} imports '${specifier}', which is not a dependency`);
      }
    }
  };
  await visit(join(dist, 'types/index.d.ts'));
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist);
const chunks = await bundle();
await copyRuntimeFiles();
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.lib.json')], {
  stdio: 'inherit',
});
await verify(chunks);
await verifyTypes();
await verifyNoTestHooks(chunks);
await writeFile(join(dist, 'THIRD_PARTY_LICENSES.md'), await thirdPartyLicenses(chunks, root));
console.log(`dist/: ${chunks.map((c) => `${c.fileName} ${(c.code.length / 1024).toFixed(0)} KB`).join(', ')}`);
