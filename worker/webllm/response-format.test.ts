// OpenAI's response_format and tools onto WebLLM 0.2.86's ResponseFormat (WebLLM cannot run here:
// the mapping is checked on its own).
import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../src/shared/protocol.js';
import { webllmMessages, webllmResponseFormat } from './response-format.js';

const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];
const weather = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true };

describe('WebLLM response_format', () => {
  it('maps json_object, json_schema and none', () => {
    expect(webllmResponseFormat({ messages })).toBeUndefined();
    expect(webllmResponseFormat({ messages, response_format: { type: 'json_object' } })).toEqual({ type: 'json_object' });
    const schema = { type: 'object', properties: { a: { type: 'integer' } } };
    expect(webllmResponseFormat({ messages, response_format: { type: 'json_schema', name: 'x', schema, strict: true } }))
      .toEqual({ type: 'json_object', schema: JSON.stringify(schema) });
  });

  it('forces Hermes-form calls by structural tag for required and named tools; auto constrains only strict calls', () => {
    const request: GenerateRequest = { messages, tools: { tools: [weather], tool_choice: { name: 'get_weather' }, parallel_tool_calls: false } };
    expect(webllmResponseFormat(request)).toEqual({
      type: 'structural_tag',
      structural_tag: {
        type: 'structural_tag',
        format: {
          type: 'tags_with_separator', separator: '\n', at_least_one: true, stop_after_first: true,
          tags: [{ type: 'tag', begin: '<tool_call>\n{"name": "get_weather", "arguments": ', content: { type: 'json_schema', json_schema: weather.parameters }, end: '}\n</tool_call>' }],
        },
      },
    });
    const auto = webllmResponseFormat({ messages, tools: { tools: [weather], tool_choice: 'auto', parallel_tool_calls: true } });
    expect(auto).toMatchObject({ structural_tag: { format: { type: 'triggered_tags', triggers: ['<tool_call>'] } } });
    expect(webllmResponseFormat({ messages, tools: { tools: [{ ...weather, strict: false }], tool_choice: 'auto', parallel_tool_calls: true } })).toBeUndefined();
    expect(webllmResponseFormat({ messages, tools: { tools: [weather], tool_choice: 'none', parallel_tool_calls: true } })).toBeUndefined();
  });

  it('renders tools into the system prompt and tool results as user turns', () => {
    const rendered = webllmMessages({
      messages: [...messages, { role: 'assistant', content: '', tool_calls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }, { role: 'tool', content: '18', tool_call_id: 'c1' }],
      tools: { tools: [weather], tool_choice: 'auto', parallel_tool_calls: true },
    });
    expect(rendered[0]?.role).toBe('system');
    expect(rendered[0]?.content).toContain('<tools>\n{"type":"function","function":{"name":"get_weather"');
    expect(rendered.slice(2)).toEqual([
      { role: 'assistant', content: '<tool_call>\n{"name": "get_weather", "arguments": {"city":"Paris"}}\n</tool_call>' },
      { role: 'user', content: '<tool_response>\n18\n</tool_response>' },
    ]);
  });
});
