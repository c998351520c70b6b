// `truncation: 'auto'` over an engine with a context window of 50 prompt characters: the earliest
// items go until the conversation fits; `disabled` (the default) answers OpenAI's 400.
import { describe, expect, it } from 'vitest';
import { fakeEngine, type FakeEngine } from '../../test/fake-engine.js';
import { serve } from '../../test/serve.js';
import { ZStreamError } from '../shared/errors.js';
import type { GenerateRequest } from '../shared/protocol.js';

const WINDOW = 50;
const size = (request: GenerateRequest) =>
  'messages' in request ? request.messages.reduce((n, m) => n + m.content.length + (m.tool_calls?.[0]?.arguments.length ?? 0), 0) : 0;

/** The fake engine, refusing a prompt over WINDOW characters as the worker refuses one over the context. */
function windowedEngine(): FakeEngine {
  const base = fakeEngine();
  return {
    ...base,
    async generate(request, signal) {
      if (size(request) > WINDOW) {
        base.requests.push(request);
        throw new ZStreamError('context_length_exceeded', `This model's maximum context length is ${WINDOW} tokens.`, { param: 'messages' });
      }
      return base.generate(request, signal);
    },
  };
}

const user = (content: string) => ({ role: 'user', content });
const messagesOf = (request: GenerateRequest | undefined) => (request && 'messages' in request ? request.messages : []);

describe("truncation: 'auto'", () => {
  it('drops items from the beginning of the conversation until it fits; disabled refuses it', async () => {
    const input = [user('a'.repeat(40)), user('b'.repeat(20)), user('c')];
    const { post, engine } = serve(windowedEngine());
    const auto = await post('/responses', { model: 'm', input, truncation: 'auto' });
    expect(auto.status).toBe(200);
    expect(await auto.json()).toMatchObject({ status: 'completed', truncation: 'auto' });
    expect(messagesOf(engine.requests.at(-1))).toEqual([{ role: 'user', content: 'b'.repeat(20) }, { role: 'user', content: 'c' }]);

    const disabled = await post('/responses', { model: 'm', input });
    expect(disabled.status).toBe(400);
    expect((await disabled.json()).error).toMatchObject({ code: 'context_length_exceeded', param: 'input' });
  });

  it('never leaves a function_call_output without its call, and keeps instructions', async () => {
    const input = [
      user('a'.repeat(10)),
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: JSON.stringify({ q: 'x'.repeat(40) }) },
      { type: 'function_call_output', call_id: 'c1', output: 'result' },
      user('next'),
    ];
    const { post, engine } = serve(windowedEngine());
    const res = await post('/responses', { model: 'm', input, truncation: 'auto', instructions: 'Be brief.' });
    expect(res.status).toBe(200);
    expect(messagesOf(engine.requests.at(-1))).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'next' }]);
  });

  it('answers the 400 when the newest item alone does not fit', async () => {
    const { post } = serve(windowedEngine());
    const res = await post('/responses', { model: 'm', input: [user('a'), user('z'.repeat(60))], truncation: 'auto' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'context_length_exceeded', param: 'input' });
  });
});
