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

  // Found by review: model output the parser could not read broke the response (a JSON.parse throw).
  it('reads a call whose name is no JSON string (a bad escape, a raw newline) as content, at any split', () => {
    for (const block of ['<tool_call>\n{"name": "get\\qweather", "arguments": {}}\n</tool_call>', '<tool_call>{"name": "a\nb", "arguments": {}}</tool_call>']) {
      for (const size of [1, 5, 100]) {
        const events = feed(`${block} ok`, size);
        expect(events.map((e) => (e.type === 'content' ? e.text : `!${e.type}`)).join('')).toBe(`${block} ok`);
      }
    }
  });

  it('reads arguments written as a JSON string (or another non-object) when the block closes, then the text after it', () => {
    for (const size of [1, 4, 100]) {
      const events = feed('<tool_call>\n{"name": "f", "arguments": "{\\"city\\": \\"Paris\\"}"}\n</tool_call> Done.', size);
      expect(events.filter((e) => e.type !== 'content')).toEqual([
        { type: 'call', call: 0, id: 'call_0', name: 'f' }, { type: 'arguments', call: 0, text: '{"city": "Paris"}' },
      ]);
      expect(events.filter((e) => e.type === 'content').map((e) => (e.type === 'content' ? e.text : '')).join('')).toBe(' Done.');
    }
    expect(parseToolCalls('<tool_call>{"name": "f", "arguments": null}</tool_call>').calls[0]?.arguments).toBe('{}');
  });

  it('counts a call cut short in its arguments once the output ends (its name and id are out)', () => {
    const parser = new ToolCallParser();
    parser.push('<tool_call>\n{"name": "f", "arguments": {"city": "Pa');
    expect(parser.callCount).toBe(0);
    parser.end();
    expect(parser.callCount).toBe(1);
  });

  it('with maxCalls 1 (parallel_tool_calls false) reads one call and drops the rest of the output', () => {
    for (const size of [1, 3, 100]) {
      const parser = new ToolCallParser(() => 'id', { maxCalls: 1 });
      const text = `${CALL}\n${CALL.replace('Paris', 'Rome')} and text`;
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      events.push(...parser.end());
      expect(events.filter((e) => e.type === 'call')).toHaveLength(1);
      expect(events.some((e) => e.type === 'content' || (e.type === 'arguments' && e.text.includes('Rome')))).toBe(false);
    }
    expect(parseToolCalls(`${CALL}${CALL}`, { maxCalls: 1 }).calls).toHaveLength(1);
    expect(parseToolCalls(`${CALL}${CALL}`).calls).toHaveLength(2);
  });
});
