// Word-buffered, paced display of streamed text. Tokens arrive in bursts and often end mid-word;
// the pacer holds back a word until it is complete and releases whole words at a steady pace that
// speeds up with the backlog, so a fast model never lags far behind and a slow one never stutters.
// Pure logic: the caller passes elapsed time (the view drives it from requestAnimationFrame).

/** Words per second when there is no backlog. */
const BASE_RATE = 30;
/** Extra words per second per word waiting: a backlog drains in about 1/6 s per e-fold. */
const CATCH_UP = 6;
/** A late frame (a busy main thread) counts as two frames at most: it must not dump the backlog. */
const MAX_STEP_MS = 34;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
const isSpace = (text: string) => /^\s+$/u.test(text);

/**
 * Splits text into display units: whitespace leads the word after it, punctuation sticks to the
 * word before it ("time,"), and scripts without spaces break at the segmenter's word boundaries.
 */
export function splitWords(text: string): string[] {
  const units: string[] = [];
  let previous: Intl.SegmentData | undefined;
  for (const segment of segmenter.segment(text)) {
    const space = isSpace(segment.segment);
    const startsUnit =
      previous === undefined ||
      (space && !isSpace(previous.segment)) ||
      (segment.isWordLike === true && !isSpace(previous.segment));
    if (startsUnit) units.push(segment.segment);
    else units[units.length - 1] += segment.segment;
    previous = segment;
  }
  return units;
}

export class WordPacer {
  private pending = '';
  private ended = false;
  // Starts at one word: the first word shows as soon as it is complete.
  private credit = 1;

  /** Text received from the stream. */
  push(text: string): void {
    this.pending += text;
  }

  /** The stream has ended: the last word is complete too. */
  end(): void {
    this.ended = true;
  }

  /** Drops what has not been shown (the answer was stopped). */
  discard(): void {
    this.pending = '';
    this.ended = true;
  }

  /** True once everything received has been shown and the stream has ended. */
  get done(): boolean {
    return this.ended && this.pending === '';
  }

  /** The text to show now, `elapsedMs` after the previous call. */
  take(elapsedMs: number): string {
    const units = splitWords(this.pending);
    // The last unit may still grow ("wor" before "ld") until the stream ends.
    const ready = this.ended ? units.length : units.length - 1;
    if (ready <= 0) {
      // Nothing to show: the next word appears as soon as it is complete, without a burst after.
      this.credit = 1;
      return '';
    }
    this.credit += (Math.min(elapsedMs, MAX_STEP_MS) / 1000) * (BASE_RATE + CATCH_UP * ready);
    const count = Math.min(ready, Math.floor(this.credit));
    if (count === 0) return '';
    this.credit = count === ready ? 0 : this.credit - count;
    const text = units.slice(0, count).join('');
    this.pending = this.pending.slice(text.length);
    return text;
  }
}
