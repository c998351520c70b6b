import { describe, expect, it } from 'vitest';
import { StopMatcher } from './stop-matcher.js';

const run = (stops: string[], pieces: string[]) => {
  const m = new StopMatcher(stops);
  let text = '';
  for (const p of pieces) {
    const r = m.push(p);
    text += r.text;
    if (r.stopped) return { text, stopped: true };
  }
  return { text: text + m.flush(), stopped: false };
};

describe('StopMatcher', () => {
  it('passes text through without stop sequences', () => {
    expect(run([], ['a', 'b'])).toEqual({ text: 'ab', stopped: false });
  });

  it('stops before a stop sequence inside one piece and never emits it', () => {
    expect(run(['END'], ['abcENDxyz'])).toEqual({ text: 'abc', stopped: true });
  });

  it('matches a stop sequence spread over several pieces', () => {
    expect(run([' smiled'], [' visitors', ' sm', 'il', 'ed', ' ✨'])).toEqual({ text: ' visitors', stopped: true });
  });

  it('holds back a possible prefix, then releases it when it is not a match', () => {
    const m = new StopMatcher(['world']);
    expect(m.push('hello wor')).toEqual({ text: 'hello ', stopped: false });
    expect(m.push('k')).toEqual({ text: 'work', stopped: false });
  });

  it('stops at the earliest of several stop sequences', () => {
    expect(run(['c', 'b'], ['abc'])).toEqual({ text: 'a', stopped: true });
    expect(run(['b', 'c'], ['abc'])).toEqual({ text: 'a', stopped: true });
    expect(run(['x', 'b', 'c'], ['abc'])).toEqual({ text: 'a', stopped: true });
  });

  it('flushes held-back text at the end', () => {
    expect(run(['xyz'], ['abx'])).toEqual({ text: 'abx', stopped: false });
  });
});
