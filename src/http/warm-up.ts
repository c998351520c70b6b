// The shim's own first-call costs, paid before the first request instead of during it: createFetch
// sends one internal streaming chat request through the chat route, answered by a stand-in for
// the engine with one scripted token, and reads its SSE body to the end (docs/first-token.md).
// Nothing reaches the engine: no request, no token, no counter moves. It waits for the page to be
// idle, so that a request made right after createFetch goes first and the warm-up fills the time
// the worker spends on its prefill.
import { chatCompletions } from './chat-completions.js';
import type { ServeContext, ServedEngine } from './models.js';
import type { StreamEvent } from '../shared/protocol.js';

const SCRIPT: StreamEvent[] = [
  { type: 'delta', text: 'Hi', tokens: 1 },
  { type: 'done', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
];

const scripted = () => new ReadableStream<StreamEvent>({
  start(controller) {
    for (const event of SCRIPT) controller.enqueue(event);
    controller.close();
  },
});

/** Warms the chat route for `context`'s model once the page is idle; failures are nobody's (the route is tested on its own). */
export function scheduleWarmUp(context: ServeContext): void {
  const run = () => void warmUp(context).catch(() => undefined);
  // Safari has no requestIdleCallback.
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 });
  else setTimeout(run, 0);
}

async function warmUp({ engine, keepAliveMs }: ServeContext): Promise<void> {
  const standIn: ServedEngine = {
    model: engine.model,
    generate: async () => scripted(),
    generateAll: async (requests) => requests.map(scripted),
  };
  const request = new Request('http://zstream.invalid/v1/chat/completions', {
    method: 'POST',
    body: JSON.stringify({ model: engine.model.id, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
  });
  const response = await chatCompletions({ engine: standIn, strictModel: false, keepAliveMs }, request);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  for (let r = await reader.read(); !r.done; r = await reader.read()) decoder.decode(r.value, { stream: true });
}
