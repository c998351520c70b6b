import { describe, expect, it } from 'vitest';
import { SSE_DONE, SSE_KEEP_ALIVE, sseData, sseEvent, sseResponse } from './sse.js';

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

describe('sseResponse', () => {
  const frames = (n: number) => [new TextEncoder().encode(`data: ${n}\n\n`)];

  it('writes each event\'s frames on demand, skips events without frames, and closes when the events end', async () => {
    const pulled: number[] = [];
    let next = 0;
    const events = new ReadableStream<number>({
      pull(controller) {
        pulled.push(next);
        if (next === 3) controller.close();
        else controller.enqueue(next++);
      },
    }, new CountQueuingStrategy({ highWaterMark: 0 }));
    const res = sseResponse(events, (n) => (n === 1 ? [] : frames(n)));
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(pulled).toEqual([]);
    expect(await res.text()).toBe('data: 0\n\ndata: 2\n\n');
  });

  it('cancelling the body cancels the events; a failing read errors the body', async () => {
    let cancelled: unknown;
    const events = new ReadableStream<number>({ pull: (c) => c.enqueue(1), cancel: (reason) => void (cancelled = reason) });
    const reader = sseResponse(events, frames).body!.getReader();
    await reader.read();
    await reader.cancel('stop');
    expect(cancelled).toBe('stop');

    const failing = new ReadableStream<number>({ pull: (c) => c.error(new DOMException('aborted', 'AbortError')) });
    await expect(sseResponse(failing, frames).text()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
