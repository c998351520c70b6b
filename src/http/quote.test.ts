import { describe, expect, it } from 'vitest';
import { QUOTE_LIMIT, clip, quoteJson } from './quote.js';
import { notOneOf } from './request-fields.js';

describe('quoting client values in error messages', () => {
  it('shows short values whole, as JSON', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('x'.repeat(QUOTE_LIMIT))).toBe('x'.repeat(QUOTE_LIMIT));
    expect(quoteJson({ a: [1, 'b', null, true], c: {} })).toBe('{"a":[1,"b",null,true],"c":{}}');
    expect(quoteJson('q"uote')).toBe('"q\\"uote"');
    expect(quoteJson(undefined)).toBe('undefined');
  });

  it('cuts long values at the limit with …', () => {
    expect(clip('x'.repeat(QUOTE_LIMIT + 1))).toBe(`${'x'.repeat(QUOTE_LIMIT)}…`);
    expect(clip('abcdef', 3)).toBe('abc…');
    expect(quoteJson('y'.repeat(10_000))).toHaveLength(QUOTE_LIMIT + 1);
    expect(quoteJson(Array.from({ length: 10_000 }, (_, i) => i))).toMatch(/^\[0,1,2,.*…$/);
    expect(quoteJson({ ['k'.repeat(500)]: 1 }).length).toBeLessThanOrEqual(QUOTE_LIMIT + 1);
  });

  it('walks no deeper than it shows: a value nested 100 000 deep is quoted in bounded time', () => {
    let deep: unknown = 'type';
    for (let i = 0; i < 100_000; i++) deep = { type: deep };
    const quoted = quoteJson(deep);
    expect(quoted.startsWith('{"type":{"type":')).toBe(true);
    expect(quoted.length).toBeLessThanOrEqual(QUOTE_LIMIT + 1);
    let nested: unknown = [];
    for (let i = 0; i < 100_000; i++) nested = [nested];
    expect(quoteJson(nested)).toBe(`${'['.repeat(QUOTE_LIMIT)}…`);
  });
});

describe('notOneOf', () => {
  it('lists one supported value without "and", several as OpenAI does', () => {
    expect(notOneOf('p', 'x', ['a']).message).toBe("Invalid value: 'x'. Supported values are: 'a'.");
    expect(notOneOf('p', 7, ['a', 'b']).message).toBe("Invalid value: 7. Supported values are: 'a', and 'b'.");
  });
});
