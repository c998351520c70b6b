import { describe, expect, it } from 'vitest';
import { STORY_TEXT as STORY } from '../scripts/story.mjs';
import { WordPacer, splitWords } from './word-pacer.js';

/** Drives the pacer at 60 frames per second until it is done; returns what each frame showed. */
function frames(pacer: WordPacer, limit = 1000): string[] {
  const shown: string[] = [];
  for (let i = 0; i < limit && !pacer.done; i++) shown.push(pacer.take(1000 / 60));
  return shown;
}

describe('splitWords', () => {
  it('keeps spaces before a word and punctuation after it', () => {
    expect(splitWords('Once upon a time, a tiny model.')).toEqual(['Once', ' upon', ' a', ' time,', ' a', ' tiny', ' model.']);
  });

  it('keeps emoji, accents and newlines whole and loses no text', () => {
    const units = splitWords(STORY);
    expect(units.join('')).toBe(STORY);
    expect(units).toContain(' 👋');
    expect(units).toContain(' café');
    expect(splitWords('one\n\ntwo')).toEqual(['one', '\n\ntwo']);
  });

  it('breaks text without spaces at word boundaries', () => {
    const units = splitWords('你好世界，我是模型');
    expect(units.length).toBeGreaterThan(2);
    expect(units.join('')).toBe('你好世界，我是模型');
  });
});

describe('WordPacer', () => {
  it('shows a late frame as at most two frames worth of words', () => {
    const pacer = new WordPacer();
    pacer.push(STORY);
    pacer.end();
    expect(splitWords(pacer.take(2000)).length).toBeLessThan(8);
  });

  it('holds back a word until it is complete', () => {
    const pacer = new WordPacer();
    pacer.push('Once up');
    expect(pacer.take(1000)).toBe('Once');
    expect(pacer.take(1000)).toBe('');
    pacer.push('on a');
    expect(pacer.take(1000)).toBe(' upon');
    pacer.end();
    expect(pacer.take(1000)).toBe(' a');
    expect(pacer.done).toBe(true);
  });

  it('shows a burst of text word by word, over several frames, and all of it', () => {
    const pacer = new WordPacer();
    pacer.push(STORY);
    pacer.end();
    const shown = frames(pacer);
    expect(shown.join('')).toBe(STORY);
    const nonEmpty = shown.filter((s) => s !== '');
    expect(nonEmpty.length).toBeGreaterThan(8);
    // A 25-word burst drains in well under a second at 60 fps.
    expect(shown.length).toBeLessThan(60);
  });

  it('keeps up with a fast stream instead of falling ever further behind', () => {
    const pacer = new WordPacer();
    const text = `${STORY} `.repeat(20);
    const words = splitWords(text);
    const frameCount = (words.length / 10) * 3;
    let shown = '';
    // 200 words per second arrive: 10 every three frames.
    for (let frame = 0; frame < frameCount; frame++) {
      if (frame % 3 === 0) pacer.push(words.splice(0, 10).join(''));
      shown += pacer.take(1000 / 60);
    }
    expect(words).toEqual([]);
    expect(text.startsWith(shown)).toBe(true);
    // The backlog settles where the pace matches the stream (about 20 words), not at 500.
    expect(splitWords(text.slice(shown.length)).length).toBeLessThan(40);
  });

  it('discard drops what was not shown and ends the display', () => {
    const pacer = new WordPacer();
    pacer.push('one two three four');
    expect(pacer.take(0)).toBe('one');
    pacer.discard();
    expect(pacer.done).toBe(true);
    expect(pacer.take(1000)).toBe('');
  });
});
