// zStream's `stream_options.chunk_size` / `chunk_by`: N tokens, words or sentences per chunk,
// grouped on the main thread; the last partial group is flushed when the generation ends.
// Words and sentences come from Intl.Segmenter (Unicode text segmentation), so text without
// spaces (Chinese, Japanese) is split into words too.
import type { StreamEvent } from '../shared/protocol.js';

export const CHUNK_BY = ['token', 'word', 'sentence'] as const;
export type ChunkBy = (typeof CHUNK_BY)[number];

export interface Chunking {
  /** Units per chunk, at least 1. */
  size: number;
  by: ChunkBy;
}

type Delta = Extract<StreamEvent, { type: 'delta' }>;

/**
 * Accumulates deltas and hands out whole groups. A word or sentence starts at the whitespace
 * before it, as tokens do (" upon"), so punctuation and emoji stay with the text before them.
 */
export class DeltaGrouper {
  private text = '';
  private tokens = 0;
  private readonly segmenter: Intl.Segmenter | undefined;

  constructor(private readonly chunking: Chunking) {
    if (chunking.by !== 'token') this.segmenter = new Intl.Segmenter(undefined, { granularity: chunking.by });
  }

  /** Adds a delta; returns the groups that are complete now (often none). */
  push(delta: Delta): Delta[] {
    this.text += delta.text;
    this.tokens += delta.tokens;
    if (!this.segmenter) return this.tokens >= this.chunking.size ? [this.take(this.text.length)] : [];
    const starts = this.unitStarts(this.segmenter);
    const groups: Delta[] = [];
    // starts[i] is where unit i + 1 begins; a unit is complete once the next one has begun.
    let taken = 0;
    for (let end = this.chunking.size - 1; end < starts.length; end += this.chunking.size) {
      groups.push(this.take(starts[end]! - taken));
      taken = starts[end]!;
    }
    return groups;
  }

  /** The last partial group, if any text is left. */
  flush(): Delta | undefined {
    return this.text ? this.take(this.text.length) : undefined;
  }

  /** The first `length` characters as a delta; tokens counted so far go with it. */
  private take(length: number): Delta {
    const group: Delta = { type: 'delta', text: this.text.slice(0, length), tokens: this.tokens };
    this.text = this.text.slice(length);
    this.tokens = 0;
    return group;
  }

  /** Offsets where a unit after the first begins, leading whitespace included. */
  private unitStarts(segmenter: Intl.Segmenter): number[] {
    const starts: number[] = [];
    for (const { index, isWordLike } of segmenter.segment(this.text)) {
      if (index === 0 || (this.chunking.by === 'word' && !isWordLike)) continue;
      let start = index;
      while (start > 0 && /\s/u.test(this.text[start - 1]!)) start--;
      if (start > 0) starts.push(start);
    }
    return starts;
  }
}

const isDefault = (chunking: Chunking) => chunking.by === 'token' && chunking.size === 1;

/** `events` with deltas grouped; other events pass through after the pending group is flushed. */
export function groupDeltas(events: ReadableStream<StreamEvent>, chunking: Chunking): ReadableStream<StreamEvent> {
  if (isDefault(chunking)) return events;
  const reader = events.getReader();
  const grouper = new DeltaGrouper(chunking);
  return new ReadableStream<StreamEvent>(
    {
      async pull(controller) {
        // Read until something can be handed out: a pull that enqueues nothing is not called again.
        for (;;) {
          const { value, done } = await reader.read();
          if (done || value.type !== 'delta') {
            const rest = grouper.flush();
            if (rest) controller.enqueue(rest);
            if (done) controller.close();
            else controller.enqueue(value);
            return;
          }
          const groups = grouper.push(value);
          for (const group of groups) controller.enqueue(group);
          if (groups.length > 0) return;
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}
