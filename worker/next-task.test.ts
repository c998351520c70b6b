// nextTask() must let the worker read the messages already waiting (a transferred stream's ask for
// the next batch), on every platform's path: scheduler.postTask, Node's setImmediate, a MessageChannel.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTask } from './next-task.js';

/** A message queued before the call; true once it was delivered. */
function queuedMessage(): { delivered(): boolean; close(): void } {
  const { port1, port2 } = new MessageChannel();
  let delivered = false;
  port1.onmessage = () => (delivered = true);
  port2.postMessage('pull');
  return { delivered: () => delivered, close: () => port1.close() };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('nextTask', () => {
  it('in Node (setImmediate): resolves in a later task, not in a microtask', async () => {
    let resolved = false;
    void nextTask().then(() => (resolved = true));
    for (let turn = 0; turn < 100; turn++) await Promise.resolve();
    expect(resolved).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(true);
  });

  it('uses scheduler.postTask where there is one', async () => {
    const postTask = vi.fn((callback: () => unknown) => Promise.resolve(callback()));
    vi.stubGlobal('scheduler', { postTask });
    await nextTask();
    expect(postTask).toHaveBeenCalledTimes(1);
  });

  it('elsewhere a MessageChannel message to itself: after a queued message, every caller in order', async () => {
    vi.stubGlobal('setImmediate', undefined);
    const message = queuedMessage();
    const order: number[] = [];
    await Promise.all([nextTask().then(() => order.push(1)), nextTask().then(() => order.push(2))]);
    expect(message.delivered()).toBe(true);
    expect(order).toEqual([1, 2]);
    await nextTask();
    message.close();
  });
});
