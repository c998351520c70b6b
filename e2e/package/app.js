// The app a user writes: OpenAI code as they already have it, plus the lines that give it a local
// model. e2e/package.spec.ts runs it from a fresh Vite app and from a plain page with an import map,
// with zstream installed from the packed tarball. Plain JavaScript: the plain page compiles nothing.
import OpenAI from 'openai';
import { createEngine, createFetch } from 'zstream';

// Test knobs, from the query string: ?device=wasm, ?assetsBaseURL=/elsewhere/
const query = new URLSearchParams(location.search);
const options = Object.fromEntries(['device', 'assetsBaseURL'].filter((k) => query.has(k)).map((k) => [k, query.get(k)]));

const state = { status: 'loading', device: null, deltas: [], chunks: 0, error: null };
window.appState = state;
const output = document.querySelector('#output');

try {
  const engine = await createEngine(options);
  state.device = engine.model.device;
  // The SDK's default base URL is answered by the model in this tab; nothing goes to the network.
  const fetch = createFetch(engine, { baseURL: 'https://api.openai.com/v1' });
  const client = new OpenAI({ apiKey: 'not-needed', dangerouslyAllowBrowser: true, fetch });
  state.status = 'streaming';
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
  state.status = 'done';
} catch (error) {
  state.error = { name: error.name, code: error.code, message: error.message };
  state.status = 'error';
  output.textContent = String(error);
}
document.body.dataset.status = state.status;
