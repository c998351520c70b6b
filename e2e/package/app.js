// The app a user writes: OpenAI code as they already have it, plus the lines that give it a local
// model. e2e/package.spec.ts runs it from a fresh Vite app and from a plain page with an import map,
// with zstream installed from the packed tarball. Plain JavaScript: the plain page compiles nothing.
import OpenAI from 'openai';
import { createEngine, createFetch, installServiceWorker } from 'zstream';

// Test knobs, from the query string: ?device=wasm, ?assetsBaseURL=/elsewhere/, ?shared (one model
// for every tab), ?serviceWorker (XMLHttpRequest to /v1 through installServiceWorker's service worker)
const query = new URLSearchParams(location.search);
const options = Object.fromEntries(['device', 'assetsBaseURL'].filter((k) => query.has(k)).map((k) => [k, query.get(k)]));
if (query.has('shared')) options.shared = true;

const state = { status: 'loading', device: null, fallbackReason: null, shared: null, deltas: [], chunks: 0, error: null };
window.appState = state;
const output = document.querySelector('#output');

/** A streamed chat completion by XMLHttpRequest, as code that never calls fetch sends it: SSE data lines. */
function xhrChunks() {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/chat/completions');
    xhr.onload = () => {
      const data = xhr.responseText.split('\n\n').filter(Boolean).map((frame) => frame.replace(/^data: /, ''));
      if (xhr.status !== 200 || data.at(-1) !== '[DONE]') reject(new Error(`${xhr.status}: ${xhr.responseText}`));
      else resolve(data.slice(0, -1).map((d) => JSON.parse(d)));
    };
    xhr.onerror = () => reject(new Error('XMLHttpRequest failed'));
    xhr.send(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Tell me a story' }] }));
  });
}

try {
  const engine = await createEngine(options);
  state.device = engine.model.device;
  state.fallbackReason = engine.model.fallbackReason ?? null;
  state.shared = engine.model.shared ?? null;
  state.status = 'streaming';
  if (query.has('serviceWorker')) {
    await installServiceWorker(engine);
    for (const chunk of await xhrChunks()) {
      state.chunks += 1;
      const delta = chunk.choices[0]?.delta?.content ?? '';
      if (delta) state.deltas.push(delta);
      output.textContent += delta;
    }
  } else {
    // The SDK's default base URL is answered by the model in this tab; nothing goes to the network.
    const fetch = createFetch(engine, { baseURL: 'https://api.openai.com/v1' });
    const client = new OpenAI({ apiKey: 'not-needed', dangerouslyAllowBrowser: true, fetch });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a story' }],
    });
    for await (const chunk of stream) {
      state.chunks += 1;
      const delta = chunk.choices[0]?.delta?.content ?? '';
      if (delta) state.deltas.push(delta);
      output.textContent += delta;
    }
  }
  state.status = 'done';
} catch (error) {
  state.error = { name: error.name, code: error.code, message: error.message };
  state.status = 'error';
  output.textContent = String(error);
}
document.body.dataset.status = state.status;
