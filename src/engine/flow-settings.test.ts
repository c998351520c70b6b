import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, checkCacheBytes, flowSettings } from './flow-settings.js';

describe('flowSettings', () => {
  it('has defaults and refuses what cannot work', () => {
    expect(flowSettings({})).toEqual({ runAhead: 32, maxQueued: 64, idleTimeoutMs: 300_000, stallTimeoutMs: undefined });
    expect(() => flowSettings({ runAhead: 0 })).toThrow('runAhead must be an integer from 1 to');
    expect(() => flowSettings({ maxQueued: -1 })).toThrow('maxQueued');
    expect(() => flowSettings({ stallTimeoutMs: 0.5 })).toThrow('stallTimeoutMs');
  });

  // Found by review: setTimeout fires at once beyond 2^31 - 1 ms, so a "practically never" of 2^31
  // ended every request at its first slow token, and 1e10 re-armed the idle timer every millisecond.
  it("refuses timers beyond setTimeout's range, and a prefix cache budget that is no byte count", () => {
    for (const name of ['idleTimeoutMs', 'stallTimeoutMs', 'preemptIdleMs'] as const) {
      expect(flowSettings({ [name]: MAX_TIMER_MS })[name]).toBe(MAX_TIMER_MS);
      expect(() => flowSettings({ [name]: MAX_TIMER_MS + 1 })).toThrow(expect.objectContaining({ code: 'invalid_value', param: name }));
    }
    expect(checkCacheBytes(0)).toBe(0);
    for (const bytes of [Number.NaN, -1, 1.5, Infinity]) expect(() => checkCacheBytes(bytes)).toThrow(expect.objectContaining({ param: 'prefixCacheBytes' }));
  });
});
