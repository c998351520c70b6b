import { describe, expect, it } from 'vitest';
import { IncrementalDecoder } from './incremental-decoder.js';

// A byte-level tokenizer: token id = byte value, decoded the way tokenizers do (U+FFFD for bad bytes).
const decodeBytes = (ids: number[]) => new TextDecoder().decode(Uint8Array.from(ids));
const bytes = (s: string) => [...new TextEncoder().encode(s)];

describe('IncrementalDecoder', () => {
  it('emits ASCII token by token', () => {
    const d = new IncrementalDecoder(decodeBytes);
    expect(bytes('Hi!').map((b) => d.push(b))).toEqual(['H', 'i', '!']);
  });

  it('holds a character split across tokens until it is whole', () => {
    const d = new IncrementalDecoder(decodeBytes);
    const out = bytes('a👋é').map((b) => d.push(b));
    expect(out).toEqual(['a', '', '', '', '👋', '', 'é']);
    expect(out.every((s) => !s.includes('\uFFFD'))).toBe(true);
  });

  it('keeps spaces that a decoder would strip from the start of a slice', () => {
    // SentencePiece-style: a leading "▁" becomes a space except at the start of a decode.
    const vocab = ['▁Hello', '▁world', '!'];
    const decode = (ids: number[]) => ids.map((i) => vocab[i]).join('').replaceAll('▁', ' ').replace(/^ /, '');
    const d = new IncrementalDecoder(decode);
    expect([0, 1, 2].map((i) => d.push(i)).join('')).toBe('Hello world!');
  });

  it('gives up waiting on a model that never completes a character', () => {
    const d = new IncrementalDecoder(decodeBytes);
    const out = Array.from({ length: 8 }, () => d.push(0xff));
    expect(out.join('')).toContain('\uFFFD');
  });

  it('keeps a bounded window on long generations', () => {
    const d = new IncrementalDecoder(decodeBytes);
    let text = '';
    for (let i = 0; i < 10_000; i++) text += d.push(0x61 + (i % 26));
    expect(text.length).toBe(10_000);
    expect((d as unknown as { ids: number[] }).ids.length).toBeLessThan(100);
  });
});
