// V8's explicit compile hint (Chromium ≥ 136): a script whose first line is this comment has all its
// functions compiled while it loads, on V8's streaming thread, instead of each one on its first call
// on the thread that runs it. A page's first request runs a few hundred functions for the first time
// (the openai SDK, the fetch shim, the request queue; in the worker the generation loop): compiled
// lazily they were most of its main-thread cost (docs/first-token.md). The comment counts only at the
// very top of a file, and minifiers drop comments, so it is added after minification: rolldown's
// `output.postBanner` (Vite ≥ 7 with rolldown; `build.rollupOptions.output` and `worker.rollupOptions.output`).
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

/**
 * For `output.postBanner`: the hint on what a page or worker runs at startup (entry chunks and the
 * chunks they import statically); chunks loaded on demand (`import()`: a backend, a route) stay lazy.
 */
export const startupCompileHint = (chunk) => (chunk.isDynamicEntry ? '' : COMPILE_HINT);
