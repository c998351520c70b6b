// What the harness page puts on `window` (e2e/harness.ts), for typed page.evaluate callbacks.
import type OpenAI from 'openai';
import type * as zstream from '../src/index.js';

declare global {
  interface Window {
    zstream: typeof zstream;
    OpenAI: typeof OpenAI;
    engine: zstream.Engine;
    harnessReady: true;
  }
}
