// After a failed load, which runtime files get named, and how (src/asset-check.ts). The server is a
// table of real Response objects.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { explainLoadFailure } from './asset-check.js';
import { ZStreamError } from '../shared/errors.js';

const BASE = 'http://app.test/assets/';
// Bytes, not a string: a string body would get a text/plain type of its own.
const served = (body: string, type: string, status = 200, statusText = 'OK') =>
  new Response(new TextEncoder().encode(body), { status, statusText, headers: type ? { 'content-type': type } : {} });
const INDEX_HTML = () => served('<!doctype html>', 'text/html; charset=utf-8');

let server: Record<string, () => Response>;
const fetched: string[] = [];
beforeEach(() => {
  server = {
    'a.wasm': () => served('\0asm', 'application/wasm'),
    'a.mjs': () => served('export default 1', 'text/javascript'),
    'config.json': () => served('{}', 'application/json'),
    'model.onnx': () => served('onnx', ''),
  };
  fetched.length = 0;
  vi.stubGlobal('fetch', async (url: string) => {
    fetched.push(url);
    const file = server[url.slice(BASE.length)];
    if (!file) return served('', 'text/plain', 404, 'Not Found');
    return file();
  });
});
afterEach(() => vi.unstubAllGlobals());

const urls = Object.keys({ 'a.wasm': 1, 'a.mjs': 1, 'config.json': 1, 'model.onnx': 1 }).map((file) => BASE + file);
const loaderError = new Error('no available backend found');

it('names a missing file with the status the server gave, and keeps the loader\'s error as the cause', async () => {
  delete server['a.wasm'];
  const error = await explainLoadFailure(loaderError, urls);
  expect(error.code).toBe('model_load_failed');
  expect(error.message).toContain(`${BASE}a.wasm answered 404 Not Found`);
  expect(error.message).not.toContain('a.mjs');
  expect(error.message).toContain('assetsBaseURL');
  expect((error.cause as ZStreamError).message).toContain('no available backend found');
});

it('names every file answered with an HTML page (a single-page-app fallback)', async () => {
  server['a.wasm'] = INDEX_HTML;
  server['config.json'] = INDEX_HTML;
  server['model.onnx'] = INDEX_HTML;
  const { message } = await explainLoadFailure(loaderError, urls);
  expect(message).toContain(`${BASE}a.wasm was served as "text/html; charset=utf-8" (expected application/wasm)`);
  expect(message).toContain(`${BASE}config.json was served as "text/html`);
  expect(message).toContain(`${BASE}model.onnx was served as "text/html`);
});

it('names a module script served without a JavaScript type: the browser refuses to run it', async () => {
  server['a.mjs'] = () => served('export default 1', 'application/octet-stream');
  expect((await explainLoadFailure(loaderError, urls)).message).toContain(`${BASE}a.mjs was served as "application/octet-stream"`);
});

it('accepts a wasm under a binary type other than application/wasm, which still compiles', async () => {
  server['a.wasm'] = () => served('\0asm', 'application/octet-stream');
  expect((await explainLoadFailure(loaderError, urls)).message).toBe('no available backend found');
  server['a.wasm'] = () => served('\0asm', '');
  expect((await explainLoadFailure(loaderError, urls)).message).toBe('no available backend found');
  server['a.wasm'] = () => served('Not here', 'text/plain');
  expect((await explainLoadFailure(loaderError, urls)).message).toContain(`${BASE}a.wasm was served as "text/plain"`);
});

it('names a file that cannot be fetched at all, and hints at CORS for another origin', async () => {
  vi.stubGlobal('location', new URL('http://app.test/'));
  vi.stubGlobal('fetch', async () => {
    throw new TypeError('Failed to fetch');
  });
  const cdn = 'https://cdn.test/z/a.wasm';
  const { message } = await explainLoadFailure(loaderError, [BASE + 'a.wasm', cdn]);
  expect(message).toContain(`${BASE}a.wasm could not be fetched (Failed to fetch);`);
  expect(message).toContain(`${cdn} could not be fetched (Failed to fetch; another origin must allow CORS)`);
});

it('returns the loader\'s error when every file is fine, and checks nothing for other failures', async () => {
  const error = await explainLoadFailure(loaderError, urls);
  expect(error.message).toBe('no available backend found');
  expect(fetched).toEqual(urls);
  fetched.length = 0;
  const notFound = new ZStreamError('model_not_found', "The model 'nope' does not exist.");
  expect(await explainLoadFailure(notFound, urls)).toBe(notFound);
  expect(fetched).toEqual([]);
});
