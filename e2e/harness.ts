// Puts the library and the real `openai` SDK on `window` for Playwright's page.evaluate.
import OpenAI from 'openai';
import * as zstream from '../src/index.js';

window.zstream = zstream;
window.OpenAI = OpenAI;
window.harnessReady = true;
