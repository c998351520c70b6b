// OpenAI's `stop`: generation ends before the first stop sequence, which is never emitted,
// also when it spans several tokens. Text that could still become a stop sequence is held back.

export interface StopResult {
  /** Text that is safe to emit now. */
  text: string;
  /** A stop sequence matched; `text` is everything before it. */
  stopped: boolean;
}

export class StopMatcher {
  private held = '';

  constructor(private readonly stops: readonly string[]) {}

  push(text: string): StopResult {
    if (this.stops.length === 0) return { text, stopped: false };
    const buffer = this.held + text;
    let cut = -1;
    for (const stop of this.stops) {
      const at = buffer.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.held = '';
      return { text: buffer.slice(0, cut), stopped: true };
    }
    const keep = this.partialMatchLength(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep), stopped: false };
  }

  /** Held-back text, released when generation ends without a match. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of some stop sequence. */
  private partialMatchLength(buffer: string): number {
    let best = 0;
    for (const stop of this.stops) {
      for (let k = Math.min(stop.length - 1, buffer.length); k > best; k--) {
        if (buffer.endsWith(stop.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}
