// The shim's warm-up at createFetch stays out of everyone's way: the engine never hears of it.
import { describe, expect, it, vi } from 'vitest';
import { fakeEngine } from '../../test/fake-engine.js';
import { createFetch } from './fetch.js';

describe('createFetch warm-up', () => {
  it('runs the chat route once, answered by a stand-in: no request reaches the engine', async () => {
    const engine = fakeEngine();
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    createFetch(engine, { baseURL: 'http://localhost/v1' });
    // Its SSE body was read to the end ...
    await vi.waitFor(() => expect(decode.mock.results.some((r) => r.type === 'return' && String(r.value).includes('data: [DONE]'))).toBe(true));
    decode.mockRestore();
    // ... and the engine got nothing.
    expect(engine.requests).toEqual([]);
  });
});
