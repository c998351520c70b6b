// The run-ahead contract (GenerateOptions.runAhead in src/shared/protocol.ts), from the worker's
// side: the stream of batches really crosses a MessagePort as a transferred stream, and is read as
// the main thread's request job reads it (a batch only once the previous one is handed out).
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamBatch, StreamEvent } from '../src/shared/protocol.js';
import { toBatchedStream } from './batched-stream.js';
import type { EventSource } from './generation.js';

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

/** Transfers `stream` through a MessageChannel, as Comlink's transfer() does between the threads. */
function transferred(stream: ReadableStream<StreamBatch>): Promise<ReadableStream<StreamBatch>> {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  return new Promise((resolve) => {
    port2.onmessage = (message: MessageEvent<ReadableStream<StreamBatch>>) => resolve(message.data);
    port1.postMessage(stream, [stream as unknown as Transferable]);
  });
}

/** A source as fast as can be: every pull is an event at once; it checks the bound on each one. */
function instantSource(length = Infinity) {
  const state = { produced: 0, asked: 0, maxAhead: 0, violations: [] as string[], cancelled: false };
  let waiter: { target: number; resolve: () => void } | undefined;
  const source: EventSource = {
    async pull(): Promise<StreamEvent | undefined> {
      if (state.produced >= length) return undefined;
      state.produced++;
      const ahead = state.produced - state.asked;
      state.maxAhead = Math.max(state.maxAhead, ahead);
      if (waiter && state.produced >= waiter.target) waiter.resolve();
      return { type: 'delta', text: `${state.produced}`, tokens: 1 };
    },
    async cancel() {
      state.cancelled = true;
    },
  };
  /** Resolves once `n` events were produced (never, if the bound stops production before). */
  const producedReaches = (target: number) =>
    new Promise<void>((resolve) => {
      if (state.produced >= target) resolve();
      else waiter = { target, resolve };
    });
  return { source, state, producedReaches };
}

/** The main thread's request job: one event at a time to its reader, the next batch only once it is needed. */
function mainThreadReader(stream: ReadableStream<StreamBatch>, state: { asked: number }, first?: Promise<StreamBatch>) {
  const reader = stream.getReader();
  let unread: StreamEvent[] = [];
  let firstPending = first;
  const batchSizes: number[] = [];
  return {
    batchSizes,
    async take(): Promise<StreamEvent | undefined> {
      state.asked++;
      // The first batch, sent apart, comes before anything read from the stream.
      if (firstPending) unread = [...(await firstPending)];
      firstPending = undefined;
      while (unread.length === 0) {
        const { value, done } = await reader.read();
        if (done) return undefined;
        batchSizes.push(value.length);
        unread = value;
      }
      return unread.shift();
    },
    cancel: () => reader.cancel(),
  };
}

describe('toBatchedStream: the run-ahead bound', () => {
  for (const runAhead of [1, 2, 4, 7]) {
    it(`never generates more than ${runAhead} events beyond what the reader asked for, the batch in transfer included`, async () => {
      const { source, state, producedReaches } = instantSource();
      const main = mainThreadReader(await transferred(toBatchedStream(source, runAhead)), state);
      // Before any read the worker fills exactly up to the bound ...
      await producedReaches(runAhead);
      // ... and then, at every event produced while the reader reads, pauses or reads in bursts, stays within it.
      for (const reads of [1, 1, 3, 2 * runAhead, 1, 200]) {
        for (let i = 0; i < reads; i++) await main.take();
      }
      expect(state.maxAhead).toBe(runAhead);
      expect(state.produced).toBeGreaterThanOrEqual(state.asked);
      await main.cancel();
      await expect.poll(() => state.cancelled).toBe(true);
    });
  }

  it('delivers every event in order and then ends', async () => {
    const { source, state } = instantSource(25);
    const main = mainThreadReader(await transferred(toBatchedStream(source, 3)), state);
    const texts: string[] = [];
    for (let e = await main.take(); e; e = await main.take()) if (e.type === 'delta') texts.push(e.text);
    expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => `${i + 1}`));
    expect(state.maxAhead).toBeLessThanOrEqual(3);
  });

  it('hands over several events in one batch when the reader is slower than generation', async () => {
    const { source, state, producedReaches } = instantSource();
    const main = mainThreadReader(await transferred(toBatchedStream(source, 6)), state);
    await producedReaches(6);
    for (let i = 0; i < 3; i++) await main.take();
    // The first read found one event ready; the rest of the bound was generated meanwhile: one batch.
    expect(main.batchSizes).toEqual([1, 5]);
    expect(state.maxAhead).toBe(6);
    await main.cancel();
  });

  it('answers the reader between decode steps, not only once generation reaches the bound', async () => {
    // The source finishes each step in microtasks after 1 ms of work, as ONNX Runtime on WASM does.
    // Were the worker's event loop never to run between steps, each ask would wait until all 64
    // events were generated.
    const { source: instant, state } = instantSource();
    // The first step waits until the stream is across (a prefill), so that it does not fill the bound before.
    let prefill!: () => void;
    const prefilled = new Promise<void>((resolve) => (prefill = resolve));
    const compute = (ms: number) => {
      for (const end = performance.now() + ms; performance.now() < end; );
    };
    const source: EventSource = { pull: async () => (await prefilled, compute(1), instant.pull()), cancel: () => instant.cancel() };
    const main = mainThreadReader(await transferred(toBatchedStream(source, 64)), state);
    prefill();
    const producedAtTake: number[] = [];
    for (let i = 0; i < 6; i++) {
      await main.take();
      producedAtTake.push(state.produced);
    }
    expect(Math.max(...producedAtTake), `produced when each event reached the reader: ${producedAtTake}`).toBeLessThan(32);
    await main.cancel();
  });

  it('a fast generation hands over about a third of the bound per ask, not an event or two', async () => {
    // Steps of 1 ms with a reader that asks at once: the worker answers when 5 events (a third of
    // runAhead 16) are ready, so the threads hop once per 5 tokens and the bound is not reached.
    const { source: instant, state } = instantSource(60);
    const compute = (ms: number) => {
      for (const end = performance.now() + ms; performance.now() < end; );
    };
    const source: EventSource = { pull: async () => (compute(1), instant.pull()), cancel: () => instant.cancel() };
    const main = mainThreadReader(await transferred(toBatchedStream(source, 16)), state);
    while (await main.take());
    const sizes = main.batchSizes.filter((n) => n > 0).slice(1, -1).sort((a, b) => a - b); // not the first and last
    expect(sizes[Math.floor(sizes.length / 2)], `batch sizes: ${main.batchSizes}`).toBeGreaterThanOrEqual(5);
    expect(state.maxAhead).toBeLessThanOrEqual(16);
  });

  /** The worker's stream with its first batch sent apart (the worker's listener), as the engine makes it. */
  function firstApart(source: EventSource, runAhead: number) {
    let sent!: (batch: StreamBatch) => void;
    const first = new Promise<StreamBatch>((resolve) => (sent = resolve));
    return { stream: toBatchedStream(source, runAhead, sent), first };
  }

  for (const runAhead of [1, 2, 4, 7]) {
    it(`with the first batch sent apart, still never more than ${runAhead} events ahead`, async () => {
      const { source, state, producedReaches } = instantSource();
      const { stream, first } = firstApart(source, runAhead);
      const main = mainThreadReader(await transferred(stream), state, first);
      expect(await first).toHaveLength(1);
      // The stream's first pull runs at the transfer, before anyone asked: the first batch still counts.
      await producedReaches(runAhead);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(state.produced).toBe(runAhead);
      for (const reads of [1, 1, 3, 2 * runAhead, 1, 200]) {
        for (let i = 0; i < reads; i++) await main.take();
      }
      expect(state.maxAhead).toBe(runAhead);
      await main.cancel();
      await expect.poll(() => state.cancelled).toBe(true);
    });
  }

  it('with the first batch sent apart: every event in order; the stream starts with an empty batch', async () => {
    const { source, state } = instantSource(25);
    const { stream, first } = firstApart(source, 3);
    const main = mainThreadReader(await transferred(stream), state, first);
    const texts: string[] = [];
    for (let e = await main.take(); e; e = await main.take()) if (e.type === 'delta') texts.push(e.text);
    expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => `${i + 1}`));
    expect(main.batchSizes[0]).toBe(0);
    expect(main.batchSizes.reduce((a, b) => a + b, 0)).toBe(24);
    expect(state.maxAhead).toBeLessThanOrEqual(3);
  });

  it('a generation of one event: it goes apart and the stream just closes', async () => {
    const { source, state } = instantSource(1);
    const { stream, first } = firstApart(source, 4);
    const main = mainThreadReader(await transferred(stream), state, first);
    expect(await main.take()).toEqual({ type: 'delta', text: '1', tokens: 1 });
    expect(await main.take()).toBeUndefined();
    expect(main.batchSizes.every((size) => size === 0)).toBe(true); // the empty batch, unless the stream had ended by the transfer
  });

  it('hands over events only, in batches, and ends once the source has no more', async () => {
    const { source } = instantSource(5);
    const events: unknown[] = [];
    for await (const batch of await transferred(toBatchedStream(source, 2))) events.push(...batch);
    expect(events).toEqual(['1', '2', '3', '4', '5'].map((text) => ({ type: 'delta', text, tokens: 1 })));
  });

  it('a cancel cancels the source, which is never pulled again, even when a pull was under way', async () => {
    const pulls: Array<(event: StreamEvent | undefined) => void> = [];
    let cancelled = false;
    const source: EventSource = {
      pull: () => new Promise((resolve) => pulls.push(resolve)),
      async cancel() {
        cancelled = true;
      },
    };
    const reader = toBatchedStream(source, 4).getReader();
    await expect.poll(() => pulls.length).toBe(1);
    await reader.cancel();
    expect(cancelled).toBe(true);
    pulls[0]!({ type: 'delta', text: 'late', tokens: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pulls).toHaveLength(1);
  });
});
