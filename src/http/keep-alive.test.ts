import { describe, expect, it, vi } from 'vitest';
import { withKeepAlive } from './keep-alive.js';

const COMMENT = new TextEncoder().encode(': keep-alive\n\n');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body whose next chunk comes when the test says. */
function slowBody() {
  const chunks: Array<(chunk: Uint8Array | undefined) => void> = [];
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        new Promise<void>((resolve) => {
          pulls++;
          chunks.push((chunk) => {
            if (chunk) controller.enqueue(chunk);
            else controller.close();
            resolve();
          });
        }),
    },
    { highWaterMark: 0 },
  );
  return { body, send: (chunk?: Uint8Array) => chunks.shift()!(chunk), pulls: () => pulls };
}

describe('withKeepAlive', () => {
  it('sends a comment to a reader kept waiting, then the chunk', async () => {
    const { body, send } = slowBody();
    const reader = withKeepAlive(body, 10, COMMENT).getReader();
    const first = await reader.read();
    expect(first.value).toBe(COMMENT);
    const next = reader.read();
    send(new Uint8Array([1]));
    // A keep-alive may still come first; the chunk follows.
    let value = (await next).value;
    if (value === COMMENT) value = (await reader.read()).value;
    expect(value).toEqual(new Uint8Array([1]));
    const end = reader.read();
    await sleep(0); // the pull that reads the body's end starts once the last one has settled
    send();
    let last = await end;
    if (last.value === COMMENT) last = await reader.read();
    expect(last.done).toBe(true);
  });

  it('queues at most one unread comment, and reads nothing ahead', async () => {
    vi.useFakeTimers();
    try {
      const { body, pulls } = slowBody();
      const reader = withKeepAlive(body, 5, COMMENT).getReader();
      const first = reader.read(); // one read starts the wait; then nobody reads for 20 intervals
      await vi.advanceTimersByTimeAsync(100);
      expect((await first).value).toBe(COMMENT);
      expect(pulls()).toBe(1);
      // One more comment waits unread, not twenty: the next read gets it at once, the one after waits.
      expect((await reader.read()).value).toBe(COMMENT);
      let settled = false;
      void reader.read().then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(5);
      expect(settled).toBe(true); // and a reader that waits again gets its comment
      await reader.cancel();
    } finally {
      vi.useRealTimers();
    }
  });

  it('is the body itself when the interval is 0', () => {
    const { body } = slowBody();
    expect(withKeepAlive(body, 0, COMMENT)).toBe(body);
  });
});
