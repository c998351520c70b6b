import { describe, expect, it } from 'vitest';
import { SSE_DONE, SSE_KEEP_ALIVE, sseData, sseEvent } from './sse.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('SSE framing', () => {
  it('frames data as one line ending in a blank line', () => {
    expect(text(sseData({ a: 'line\nbreak', b: '👋' }))).toBe('data: {"a":"line\\nbreak","b":"👋"}\n\n');
  });

  it('frames named events as OpenAI sends errors', () => {
    expect(text(sseEvent('error', { error: { message: 'x' } }))).toBe('event: error\ndata: {"error":{"message":"x"}}\n\n');
  });

  it('ends with [DONE] and keeps alive with comments only', () => {
    expect(text(SSE_DONE)).toBe('data: [DONE]\n\n');
    expect(text(SSE_KEEP_ALIVE).startsWith(':')).toBe(true);
  });
});
