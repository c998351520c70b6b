// What the harness page puts on `window` (e2e/harness.ts), for typed page.evaluate callbacks.
import type OpenAI from 'openai';
import type * as zstream from '../src/index.js';
import type * as zstreamTesting from '../src/testing.js';

declare global {
  interface Window {
    zstream: typeof zstream;
    /** Fault injection and the worker's step clock, for e2e only (src/testing.ts). */
    zstreamTesting: typeof zstreamTesting;
    OpenAI: typeof OpenAI;
    engine: zstream.Engine;
    harnessReady: true;
  }
}
