// After a failed load, finds the runtime files that are missing or served as something else and
// names their URLs. The usual causes: files not deployed with the app, a wrong `assetsBaseURL`, or a
// server that answers unknown paths with its index.html (a single-page-app fallback). Checked only
// after a failure, so a working load pays nothing.
import { ZStreamError } from '../shared/errors.js';

interface Expectation {
  /** Content types the browser accepts for this kind of file. */
  accepts: (type: string) => boolean;
  description: string;
}

const notHTML = (type: string) => !/^text\/html\b/i.test(type);

// A module script must have a JavaScript MIME type (HTML spec, "fetch a single module script").
// A .wasm under any binary type still loads (Emscripten falls back from streaming compilation to
// an ArrayBuffer); a textual type means the server sent something else, such as an error page.
const EXPECTATIONS: Record<string, Expectation> = {
  mjs: { accepts: (type) => /^(text|application)\/(x-)?(java|ecma)script\b/i.test(type), description: 'text/javascript' },
  wasm: { accepts: (type) => !/^text\//i.test(type), description: 'application/wasm' },
};
const ANY_FILE: Expectation = { accepts: notHTML, description: 'the file, not an HTML page' };

function expectationFor(url: string): Expectation {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase() ?? '';
  return EXPECTATIONS[extension] ?? ANY_FILE;
}

/** What is wrong with the file at `url`, or undefined when it is served as expected. */
async function assetProblem(url: string): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const crossOrigin = new URL(url).origin !== location.origin;
    return `${url} could not be fetched (${reason}${crossOrigin ? '; another origin must allow CORS' : ''})`;
  }
  // Headers are all we need: do not download a 26 MB wasm to diagnose it.
  await response.body?.cancel().catch(() => undefined);
  if (!response.ok) return `${url} answered ${response.status} ${response.statusText}`.trimEnd();
  const type = response.headers.get('content-type') ?? '';
  const expected = expectationFor(url);
  if (!expected.accepts(type)) {
    return `${url} was served as "${type || 'no content type'}" (expected ${expected.description})`;
  }
  return undefined;
}

/**
 * The error to report for a failed load: where files of `urls` are missing or served with the wrong
 * type, one that names them (with the loader's error as its cause); otherwise the loader's error.
 */
export async function explainLoadFailure(error: unknown, urls: string[]): Promise<ZStreamError> {
  const failure = ZStreamError.from(error, 'model_load_failed');
  if (failure.code !== 'model_load_failed' || urls.length === 0) return failure;
  const problems = (await Promise.all(urls.map(assetProblem))).filter((p): p is string => p !== undefined);
  if (problems.length === 0) return failure;
  return new ZStreamError(
    'model_load_failed',
    `zstream could not load its runtime files: ${problems.join('; ')}. They come with the package ` +
      "(node_modules/zstream/dist/): serve them with the app, or set `assetsBaseURL` to a folder that has them.",
    { cause: failure },
  );
}
