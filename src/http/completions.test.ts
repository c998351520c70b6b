// POST /completions (legacy) over a fake engine, checked against OpenAI's schemas and the SDK.
import { describe, expect, it } from 'vitest';
import { REPLY, REPLY_TOKENS } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { serve } from '../../test/serve.js';
import { choiceText, parseStream } from '../../test/sse-conformance.js';

const PROMPT = 'Once upon a';

describe('legacy completion', () => {
  it('sends the raw prompt, with OpenAI\'s default of 16 tokens, and answers a text_completion', async () => {
    const { post, engine } = serve();
    const body = await (await post('/completions', { model: 'davinci-002', prompt: PROMPT })).json();
    expect(engine.requests).toEqual([expect.objectContaining({ prompt: PROMPT, max_tokens: 16 })]);
    expect(schemaErrors('CreateCompletionResponse', body)).toEqual([]);
    expect(body).toMatchObject({
      object: 'text_completion', model: 'fake-model',
      choices: [{ index: 0, text: REPLY, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: PROMPT.length, completion_tokens: REPLY_TOKENS.length },
    });
    expect(body.id).toMatch(/^cmpl-/);
  });

  it('streams text_completion chunks, each choice ending with its finish reason, then usage and [DONE]', async () => {
    const { post } = serve();
    const raw = await (await post('/completions', { model: 'm', prompt: PROMPT, stream: true, max_tokens: 4 })).text();
    const parsed = parseStream(raw, 'completion');
    expect(parsed.violations).toEqual([]);
    expect(parsed.done).toBe(true);
    expect(choiceText(parsed.chunks)).toBe(REPLY_TOKENS.slice(0, 4).join(''));
    expect(parsed.chunks.slice(0, -1).every((c) => (c['choices'] as Array<{ finish_reason: unknown }>)[0]?.finish_reason === null)).toBe(true);
    expect(parsed.chunks.at(-1)).toMatchObject({ choices: [{ text: '', finish_reason: 'length' }], usage: { completion_tokens: 4 } });
  });

  it('with include_usage: one more chunk with no choices and the usage', async () => {
    const { post } = serve();
    const raw = await (await post('/completions', { model: 'm', prompt: PROMPT, stream: true, stream_options: { include_usage: true } })).text();
    const parsed = parseStream(raw, 'completion');
    expect(parsed.violations).toEqual([]);
    expect(parsed.chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: REPLY_TOKENS.length } });
    expect(parsed.chunks.slice(0, -1).every((c) => !('usage' in c))).toBe(true);
  });

  it('two prompts × n = 2: four choices in prompt order; echo puts each prompt first; each prompt counted once', async () => {
    const { post } = serve();
    const request = { model: 'm', prompt: ['A', 'BB'], n: 2, echo: true, max_tokens: 1 };
    const body = await (await post('/completions', request)).json();
    expect(schemaErrors('CreateCompletionResponse', body)).toEqual([]);
    expect(body.choices.map((c: { index: number; text: string }) => [c.index, c.text])).toEqual([
      [0, 'AHello'], [1, 'AHello'], [2, 'BBHello'], [3, 'BBHello'],
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    const parsed = parseStream(await (await post('/completions', { ...request, stream: true })).text(), 'completion');
    expect(parsed.violations).toEqual([]);
    expect([0, 1, 2, 3].map((i) => choiceText(parsed.chunks, i))).toEqual(['AHello', 'AHello', 'BBHello', 'BBHello']);
  });

  it('works with the openai SDK, streamed and not', async () => {
    const { client } = serve();
    const completion = await client.completions.create({ model: 'x', prompt: PROMPT, max_tokens: 50 });
    expect(completion.choices[0]?.text).toBe(REPLY);
    let text = '';
    for await (const chunk of await client.completions.create({ model: 'x', prompt: PROMPT, max_tokens: 50, stream: true })) {
      text += chunk.choices[0]?.text ?? '';
    }
    expect(text).toBe(REPLY);
  });
});
