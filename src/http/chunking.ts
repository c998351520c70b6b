// zstream's `stream_options.chunk_size` / `chunk_by`: N tokens, words or sentences per chunk,
// grouped on the main thread; the last partial group is flushed when the generation ends.
// Words and sentences come from Intl.Segmenter (Unicode text segmentation), so text without
// spaces (Chinese, Japanese) is split into words too.
import { derive } from './derived-stream.js';
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
 * Each delta re-segments only the unit still growing (from the last unit start found), not all
 * the pending text: the cost per token is the length of the current word or sentence, whatever
 * `chunk_size` is (re-segmenting everything pending was O(n²) in the group's length).
 */
export class DeltaGrouper {
  private text = '';
  private tokens = 0;
  /** Offsets in `text` where a unit after the first begins, leading whitespace included; the last may still grow. */
  private starts: number[] = [];
  private readonly segmenter: Intl.Segmenter | undefined;

  constructor(private readonly chunking: Chunking) {
    if (chunking.by !== 'token') this.segmenter = new Intl.Segmenter(undefined, { granularity: chunking.by });
  }

  /** Adds a delta; returns the groups that are complete now (often none). */
  push(delta: Delta): Delta[] {
    this.text += delta.text;
    this.tokens += delta.tokens;
    if (!this.segmenter) return this.tokens >= this.chunking.size ? [this.take(this.text.length)] : [];
    this.findStarts(this.segmenter);
    // starts[i] is where unit i + 1 begins; a unit is complete once the next one has begun.
    const groups: Delta[] = [];
    while (this.starts.length >= this.chunking.size) groups.push(this.take(this.starts[this.chunking.size - 1]!));
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
    this.starts = this.starts.filter((start) => start > length).map((start) => start - length);
    return group;
  }

  /** Adds the unit starts after the last one known: only the text from there is segmented again. */
  private findStarts(segmenter: Intl.Segmenter): void {
    const from = this.starts.at(-1) ?? 0;
    for (const { index, isWordLike } of segmenter.segment(this.text.slice(from))) {
      if (this.chunking.by === 'word' && !isWordLike) continue;
      let start = from + index;
      while (start > from && /\s/u.test(this.text[start - 1]!)) start--;
      if (start > from) this.starts.push(start);
    }
  }
}

const isDefault = (chunking: Chunking) => chunking.by === 'token' && chunking.size === 1;

/** `events` with deltas grouped; other events pass through after the pending group is flushed. */
export function groupDeltas(events: ReadableStream<StreamEvent>, chunking: Chunking): ReadableStream<StreamEvent> {
  if (isDefault(chunking)) return events;
  const grouper = new DeltaGrouper(chunking);
  const pending = (): StreamEvent[] => {
    const rest = grouper.flush();
    return rest ? [rest] : [];
  };
  return derive(events, {
    map: (event) => (event.type === 'delta' ? grouper.push(event) : [...pending(), event]),
    flush: pending,
  });
}
