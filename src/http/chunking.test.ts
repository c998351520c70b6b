import { describe, expect, it, vi } from 'vitest';
import { DeltaGrouper, groupDeltas, type Chunking } from './chunking.js';
import type { StreamEvent } from '../shared/protocol.js';

// The embedded model's story, as its tokens arrive (👋 and é come whole after their byte tokens).
const TOKENS = [
  'Once', ' upon', ' a', ' time', ',', ' a tiny', ' model', ' lived', ' in', ' a browser', ' tab', '.', ' It', ' streamed',
  ' every', ' word', ' ', '👋', ' without', ' a server', ', and', ' caf', 'é', ' visitors', ' smiled', ' ✨', ' The', ' end.',
];
const STORY = TOKENS.join('');

function group(chunking: Chunking, tokens = TOKENS): string[] {
  const grouper = new DeltaGrouper(chunking);
  const out = tokens.flatMap((text) => grouper.push({ type: 'delta', text, tokens: 1 }).map((d) => d.text));
  const rest = grouper.flush();
  return rest ? [...out, rest.text] : out;
}

describe('DeltaGrouper', () => {
  it('chunk_size N puts N tokens in each chunk and flushes the last partial group', () => {
    const chunks = group({ by: 'token', size: 3 });
    expect(chunks.join('')).toBe(STORY);
    expect(chunks[0]).toBe('Once upon a');
    expect(chunks).toHaveLength(Math.ceil(TOKENS.length / 3));
    expect(chunks.slice(-2)).toEqual([' smiled ✨ The', ' end.']); // 28 tokens: 9 groups of 3, then 1
  });

  it('chunk_by word gives one word per chunk, with its leading space, punctuation and emoji kept with the word before', () => {
    const chunks = group({ by: 'word', size: 1 });
    expect(chunks.join('')).toBe(STORY);
    expect(chunks.slice(0, 6)).toEqual(['Once', ' upon', ' a', ' time,', ' a', ' tiny']);
    expect(chunks).toContain(' word 👋');
    expect(chunks).toContain(' café');
    expect(chunks.at(-1)).toBe(' end.');
  });

  it('chunk_by word with chunk_size 4 gives four words per chunk', () => {
    const chunks = group({ by: 'word', size: 4 });
    expect(chunks.join('')).toBe(STORY);
    expect(chunks[0]).toBe('Once upon a time,');
    expect(chunks[1]).toBe(' a tiny model lived');
  });

  it('chunk_by sentence gives whole sentences', () => {
    expect(group({ by: 'sentence', size: 1 })).toEqual([
      'Once upon a time, a tiny model lived in a browser tab.',
      ' It streamed every word 👋 without a server, and café visitors smiled ✨ The end.',
    ]);
  });

  it('splits words of text without spaces', () => {
    const chunks = group({ by: 'word', size: 1 }, ['今日', 'は良', 'い天気', 'です']);
    expect(chunks.join('')).toBe('今日は良い天気です');
    expect(chunks.length).toBeGreaterThan(2);
  });

  it('is linear: each token re-segments only the unit still growing, however large chunk_size is', { timeout: 60_000 }, () => {
    const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
    const tokens = Array.from({ length: 3000 }, (_, i) => (i % 12 === 11 ? ' end.' : i % 12 === 0 ? ' The' : ` w${i % 7}`));
    for (const by of ['word', 'sentence'] as const) {
      segment.mockClear();
      const chunks = group({ by, size: 512 }, tokens);
      expect(chunks.join('')).toBe(tokens.join(''));
      const segmented = segment.mock.calls.reduce((sum, [text]) => sum + text.length, 0);
      // At most the longest unit (a 12-token sentence, under 60 characters) per token; re-segmenting
      // all pending text on each token would be about 3000 × 5 000 characters.
      expect(segmented).toBeLessThan(tokens.length * 60);
    }
    expect(group({ by: 'word', size: 512 }, tokens)[0]!.split(/\s+/u).filter((w) => /\w/u.test(w))).toHaveLength(512);
    segment.mockRestore();
  });

  it('counts the tokens that went into each chunk', () => {
    const grouper = new DeltaGrouper({ by: 'token', size: 2 });
    expect(grouper.push({ type: 'delta', text: 'a', tokens: 1 })).toEqual([]);
    expect(grouper.push({ type: 'delta', text: 'bc', tokens: 2 })).toEqual([{ type: 'delta', text: 'abc', tokens: 3 }]);
    expect(grouper.flush()).toBeUndefined();
  });
});

describe('groupDeltas', () => {
  const stream = (events: StreamEvent[]) => new ReadableStream<StreamEvent>({
    start(controller) {
      events.forEach((e) => controller.enqueue(e));
      controller.close();
    },
  });
  const read = async (events: ReadableStream<StreamEvent>) => {
    const out: StreamEvent[] = [];
    for await (const e of events) out.push(e);
    return out;
  };
  const done: StreamEvent = { type: 'done', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } };

  it('is the stream itself for one token per chunk', () => {
    const events = stream([]);
    expect(groupDeltas(events, { by: 'token', size: 1 })).toBe(events);
  });

  it('flushes the pending group before the done event', async () => {
    const deltas: StreamEvent[] = ['a', 'b', 'c'].map((text) => ({ type: 'delta', text, tokens: 1 }));
    expect(await read(groupDeltas(stream([...deltas, done]), { by: 'token', size: 2 }))).toEqual([
      { type: 'delta', text: 'ab', tokens: 2 },
      { type: 'delta', text: 'c', tokens: 1 },
      done,
    ]);
  });

  it('passes an error through after what was grouped so far', async () => {
    const error: StreamEvent = { type: 'error', error: { code: 'generation_failed', message: 'x', param: null } };
    expect(await read(groupDeltas(stream([{ type: 'delta', text: 'Hello', tokens: 1 }, error]), { by: 'sentence', size: 1 }))).toEqual([
      { type: 'delta', text: 'Hello', tokens: 1 },
      error,
    ]);
  });
});
