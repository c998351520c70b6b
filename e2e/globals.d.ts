// What the harness page puts on `window` (e2e/harness.ts), for typed page.evaluate callbacks.
import type OpenAI from 'openai';
import type * as zstream from '../src/index.js';
import type * as zstreamTesting from '../src/testing.js';
import type * as idleMistakes from './idle-mistakes.js';

declare global {
  interface Window {
    zstream: typeof zstream;
    /** The test worker: fault injection and its step clock, for e2e only (src/testing.ts). */
    zstreamTesting: typeof zstreamTesting;
    /** The five ways a client leaves a request unread (e2e/idle-readers.spec.ts). */
    idleMistakes: typeof idleMistakes;
    OpenAI: typeof OpenAI;
    engine: zstream.Engine;
    harnessReady: true;
  }
}
