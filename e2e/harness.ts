// Puts the library and the real `openai` SDK on `window` for Playwright's page.evaluate.
import OpenAI from 'openai';
import * as zstream from '../src/index.js';
import * as zstreamTesting from '../src/testing.js';
import * as idleMistakes from './idle-mistakes.js';

window.zstream = zstream;
window.zstreamTesting = zstreamTesting;
window.idleMistakes = idleMistakes;
window.OpenAI = OpenAI;
window.harnessReady = true;
