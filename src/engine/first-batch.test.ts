import { describe, expect, it } from 'vitest';
import type { StreamBatch } from '../shared/protocol.js';
import { FirstBatch } from './first-batch.js';
import type { Connection } from './worker-connection.js';

const worker = (name: string) => ({ name }) as unknown as Connection;
const batch = (text: string): StreamBatch => [{ type: 'delta', text, tokens: 1 }];

describe('FirstBatch', () => {
  it('the awaited worker\'s first batch is handed out once; the stream is awaited until then', () => {
    const first = new FirstBatch();
    const a = worker('a');
    expect(first.attached(a, true)).toBeUndefined();
    expect(first.awaited).toBe(true);
    expect(first.received(worker('old'), batch('stale'), true)).toBeUndefined();
    expect(first.awaited).toBe(true);
    expect(first.received(a, batch('1'), true)).toEqual(batch('1'));
    expect(first.awaited).toBe(false);
    expect(first.received(a, batch('again'), true)).toBeUndefined();
  });

  it('a batch that comes before the reply is kept for the attach of its worker\'s stream', () => {
    const first = new FirstBatch();
    const a = worker('a');
    expect(first.received(a, batch('1'), false)).toBeUndefined();
    expect(first.attached(a, true)).toEqual(batch('1'));
    expect(first.awaited).toBe(false);
  });

  it('an early batch from another worker, or for a stream not sent apart, is dropped; reset forgets all', () => {
    const first = new FirstBatch();
    first.received(worker('old'), batch('stale'), false);
    expect(first.attached(worker('a'), true)).toBeUndefined();
    const b = new FirstBatch();
    b.received(worker('a'), batch('1'), false);
    expect(b.attached(worker('a'), false)).toBeUndefined();
    expect(b.awaited).toBe(false);
    const c = new FirstBatch();
    const a = worker('a');
    c.received(a, batch('1'), false);
    c.reset();
    expect(c.attached(a, true)).toBeUndefined();
    expect(c.awaited).toBe(true);
  });
});
