// Tool calls on the chat wire over a scripted engine whose tokens are a Hermes-form call, split
// finely: every chunk and body checked against OpenAI's schemas, and the real `openai` SDK on top.
import { describe, expect, it } from 'vitest';
import { scriptedEngine } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { serve } from '../../test/serve.js';
import { parseStream } from '../../test/sse-conformance.js';

const CALL_TEXT = 'Checking.<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
/** Three characters a token. */
const TOKENS = CALL_TEXT.match(/[\s\S]{1,3}/g)!;

const TOOLS = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const BODY = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS };

describe('tool calls on the chat wire', () => {
  it('streams the call as OpenAI does: name first, then argument fragments, finish tool_calls', async () => {
    const { post, engine } = serve(scriptedEngine(TOKENS));
    const raw = await (await post('/chat/completions', { ...BODY, stream: true })).text();
    const { chunks, violations, done } = parseStream(raw, 'chat');
    expect(violations).toEqual([]);
    expect(done).toBe(true);
    expect(engine.requests[0]).toMatchObject({ tools: { tool_choice: 'auto', parallel_tool_calls: true } });
    const deltas = chunks.map((c) => (c['choices'] as Array<{ delta: Record<string, unknown>; finish_reason: string | null }>)[0]);
    expect(deltas.map((d) => d?.delta['content']).filter(Boolean).join('')).toBe('Checking.');
    const calls = deltas.flatMap((d) => (d?.delta['tool_calls'] as Array<Record<string, unknown>> | undefined) ?? []);
    expect(calls[0]).toEqual({ index: 0, id: expect.stringMatching(/^call_[0-9a-f]{24}$/), type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.length).toBeGreaterThan(4);
    expect(calls.slice(1).every((c) => Object.keys(c).join() === 'index,function')).toBe(true);
    expect(calls.map((c) => (c['function'] as { arguments: string }).arguments).join('')).toBe('{"city": "Paris"}');
    expect(deltas.at(-1)?.finish_reason).toBe('tool_calls');
  });

  // Found by review: parallel_tool_calls false went unenforced with free text (auto, no strict tool),
  // and a call cut short in its arguments finished `stop` streamed but `tool_calls` whole.
  it('parallel_tool_calls false: one call, streamed and whole; a call cut short finishes tool_calls both ways', async () => {
    const twice = `${CALL_TEXT}\n${CALL_TEXT.replace('Checking.', '').replace('Paris', 'Rome')} Done.`.match(/[\s\S]{1,3}/g)!;
    const { post } = serve(scriptedEngine(twice));
    const whole = await (await post('/chat/completions', { ...BODY, parallel_tool_calls: false })).json();
    expect(whole.choices[0].message.tool_calls).toHaveLength(1);
    const { chunks } = parseStream(await (await post('/chat/completions', { ...BODY, parallel_tool_calls: false, stream: true })).text(), 'chat');
    const streamed = chunks.flatMap((c) => (c['choices'] as Array<{ delta: Record<string, unknown> }>)[0]?.delta['tool_calls'] ?? []) as Array<{ id?: string }>;
    expect(streamed.filter((c) => c.id)).toHaveLength(1);

    const cut = serve(scriptedEngine(['<tool_call>\n{"name": "get_weather", "arguments": {"city": "Pa']));
    const cutWhole = await (await cut.post('/chat/completions', BODY)).json();
    const cutStream = parseStream(await (await cut.post('/chat/completions', { ...BODY, stream: true })).text(), 'chat');
    const last = cutStream.chunks.flatMap((c) => c['choices'] as Array<{ finish_reason: string | null }>).at(-1);
    expect([cutWhole.choices[0].finish_reason, last?.finish_reason]).toEqual(['tool_calls', 'tool_calls']);
  });

  it('answers non-streamed with message.tool_calls', async () => {
    const { post } = serve(scriptedEngine(TOKENS));
    const body = await (await post('/chat/completions', BODY)).json();
    expect(schemaErrors('CreateChatCompletionResponse', body)).toEqual([]);
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { role: 'assistant', content: 'Checking.', tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] },
    });
  });

  it('leaves the text alone with tool_choice none, and the openai SDK merges streamed calls', async () => {
    const { post, client } = serve(scriptedEngine(TOKENS));
    const none = await (await post('/chat/completions', { ...BODY, tool_choice: 'none' })).json();
    expect(none.choices[0].message).toEqual({ role: 'assistant', content: CALL_TEXT, refusal: null });
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }] });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
    ]);
  });
});
