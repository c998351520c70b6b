// Compiled by e2e/package.spec.ts in the app folder, against the installed package, with
// skipLibCheck off: the package's .d.ts resolve with what `npm install zstream` brings, and the
// README's usage type-checks. Never run.
import { createEngine, createFetch, EMBEDDED_MODEL, ZStreamError, type ChatCompletionChunk, type Engine } from 'zstream';

const engine: Engine = await createEngine({
  device: 'wasm',
  assetsBaseURL: '/zstream-assets/',
  onProgress: ({ phase, loaded, total }) => console.log(phase, loaded, total),
});
const fetch: typeof globalThis.fetch = createFetch(engine, { baseURL: 'https://api.openai.com/v1' });
const response = await fetch('https://api.openai.com/v1/chat/completions', {
  method: 'POST',
  body: JSON.stringify({ model: EMBEDDED_MODEL, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
});
const chunk: ChatCompletionChunk | undefined = undefined;
for await (const text of engine.chatStream([{ role: 'user', content: 'Hi' }])) console.log(text, chunk, response.status);
try {
  await engine.chat([{ role: 'user', content: 'Hi' }], { max_tokens: 8 });
} catch (error) {
  if (error instanceof ZStreamError) console.log(error.code, error.status, error.toJSON().error.message);
}
engine.dispose();
