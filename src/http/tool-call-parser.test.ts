import { describe, expect, it } from 'vitest';
import { ToolCallParser, parseToolCalls } from './tool-call-parser.js';

const CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}\n</tool_call>';

/** Feeds `text` in pieces of `size` characters. */
function feed(text: string, size: number) {
  let n = 0;
  const parser = new ToolCallParser(() => `call_${n++}`);
  const events = [];
  for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
  return [...events, ...parser.end()];
}

describe('ToolCallParser', () => {
  it('reports the name first, then the arguments as they come, at any split', () => {
    for (const size of [1, 2, 3, 7, 100]) {
      const events = feed(CALL, size);
      expect(events[0]).toEqual({ type: 'call', call: 0, id: 'call_0', name: 'get_weather' });
      const args = events.slice(1).map((e) => (e.type === 'arguments' ? e.text : `!${e.type}`)).join('');
      expect(args).toBe('{"city": "Paris", "unit": "c"}');
      if (size === 1) expect(events.length).toBeGreaterThan(20);
    }
  });

  it('keeps text around calls as content and splits two calls', () => {
    const { content, calls } = parseToolCalls(`Let me check.\n${CALL}\n${CALL.replace('Paris', 'Rome')}`);
    expect(content).toBe('Let me check.\n');
    expect(calls.map((c) => JSON.parse(c.arguments))).toEqual([{ city: 'Paris', unit: 'c' }, { city: 'Rome', unit: 'c' }]);
  });

  it('reads a block in another key order whole, and leaves text without calls alone', () => {
    const { calls } = parseToolCalls('<tool_call>{"arguments": {"a": "}"}, "name": "f"}</tool_call>');
    expect(calls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'f', arguments: '{"a":"}"}' }]);
    expect(parseToolCalls('a < b and <tool')).toEqual({ content: 'a < b and <tool', calls: [] });
  });

  it('handles braces and escapes inside argument strings', () => {
    const { calls } = parseToolCalls('<tool_call>\n{"name": "f", "arguments": {"q": "a}\\"{b"}}\n</tool_call>');
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ q: 'a}"{b' });
  });
});
