// Unit tests run in Node: @mlc-ai/web-xgrammar's Emscripten prologue reaches for CommonJS globals
// there (browsers never take that branch), so any test that imports the worker's grammar code needs them.
import { createRequire } from 'node:module';

Object.assign(globalThis, { require: createRequire(import.meta.url), __filename: import.meta.filename });
