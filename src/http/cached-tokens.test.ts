// usage.prompt_tokens_details.cached_tokens, as OpenAI reports prompt caching: passed through from the
// worker's usage on chat and legacy completions, streamed or not, and counted once per prompt for n > 1;
// input_tokens_details.cached_tokens on the Responses API.
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../shared/protocol.js';
import { fakeEngine, type FakeEngine } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { serve } from '../../test/serve.js';
import { parseStream } from '../../test/sse-conformance.js';

/** The fake engine, with a backend that reports `cached` prompt tokens per request in turn. */
function cachingEngine(cached: number[]): FakeEngine {
  const engine = fakeEngine();
  const generate = engine.generate.bind(engine);
  let call = 0;
  engine.generate = async (request, signal) => {
    const cachedTokens = cached[call++] ?? 0;
    const events = await generate(request, signal);
    return events.pipeThrough(new TransformStream<StreamEvent, StreamEvent>({
      transform(event, controller) {
        controller.enqueue(event.type === 'done' ? { ...event, usage: { ...event.usage, prompt_tokens_details: { cached_tokens: cachedTokens } } } : event);
      },
    }));
  };
  return engine;
}

const MESSAGES = [{ role: 'user', content: 'Tell me a story' }];

describe('cached_tokens', () => {
  it('rides in usage.prompt_tokens_details of a chat completion; for n > 1 the first choice counts', async () => {
    const { post } = serve(cachingEngine([7, 15]));
    const body = await (await post('/chat/completions', { model: 'm', messages: MESSAGES, n: 2 })).json();
    expect(schemaErrors('CreateChatCompletionResponse', body)).toEqual([]);
    expect(body.usage.prompt_tokens).toBe(15);
    expect(body.usage.prompt_tokens_details).toEqual({ cached_tokens: 7 });
  });

  it('is in the include_usage chunk of a stream, and in legacy completions per prompt', async () => {
    const { post } = serve(cachingEngine([12]));
    const raw = await (await post('/chat/completions', { model: 'm', messages: MESSAGES, stream: true, stream_options: { include_usage: true } })).text();
    const { chunks, violations } = parseStream(raw, 'chat');
    expect(violations).toEqual([]);
    expect(chunks.at(-1)?.['usage']).toMatchObject({ prompt_tokens: 15, prompt_tokens_details: { cached_tokens: 12 } });
    const legacy = serve(cachingEngine([2, 3]));
    const completion = await (await legacy.post('/completions', { model: 'm', prompt: ['abc', 'de'] })).json();
    expect(schemaErrors('CreateCompletionResponse', completion)).toEqual([]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, prompt_tokens_details: { cached_tokens: 5 } });
  });

  it('is input_tokens_details.cached_tokens on the Responses API', async () => {
    const { post } = serve(cachingEngine([9]));
    const body = await (await post('/responses', { model: 'm', input: 'Tell me a story' })).json();
    expect(schemaErrors('Response', body)).toEqual([]);
    expect(body.usage.input_tokens_details.cached_tokens).toBe(9);
  });

  it('is absent where the backend reports none', async () => {
    const { post } = serve();
    const body = await (await post('/chat/completions', { model: 'm', messages: MESSAGES })).json();
    expect(body.usage).not.toHaveProperty('prompt_tokens_details');
  });
});
