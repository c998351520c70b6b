// Turns a token stream into text deltas that never end in half a UTF-8 character.
// The tokenizer decodes a short window (prefix + new tokens) and we emit what the new tokens
// added, as text-generation-inference does: O(window) per token, and tokenizers that strip a
// leading space from the first token of a decode still get their spaces right.

const REPLACEMENT = '\uFFFD';
/** A model that emits more than this many tokens without completing a character is broken. */
const MAX_PENDING = 8;

export class IncrementalDecoder {
  private readonly ids: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;

  constructor(private readonly decode: (ids: number[]) => string) {}

  /** Adds one token and returns the text it completes ('' while a character is still partial). */
  push(id: number): string {
    this.ids.push(id);
    const prefix = this.text(this.prefixOffset, this.readOffset);
    const full = this.text(this.prefixOffset, this.ids.length);
    const pending = this.ids.length - this.readOffset;
    if (full.length <= prefix.length || (full.endsWith(REPLACEMENT) && pending < MAX_PENDING)) return '';
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    this.trim();
    return full.slice(prefix.length);
  }

  private text(from: number, to: number): string {
    return from === to ? '' : this.decode(this.ids.slice(from, to));
  }

  /** Keeps only the window still needed, so memory stays flat on long generations. */
  private trim(): void {
    if (this.prefixOffset < 64) return;
    this.ids.splice(0, this.prefixOffset);
    this.readOffset -= this.prefixOffset;
    this.prefixOffset = 0;
  }
}
