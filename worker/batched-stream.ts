// A generation's events as the stream the worker transfers to the main thread: each chunk is a
// batch of every event ready when the main thread asks, so one round trip between the threads
// carries several tokens when the page reads slower than the model generates (the bench measured
// one event per chunk at 0.61–0.77× the backend's own tokens/s on WASM, batches at 0.96–1.08×).
//
// The run-ahead bound stays exact, counted in events (the contract: GenerateOptions.runAhead in
// src/shared/protocol.ts; tested in batched-stream.test.ts). The stream has a
// high-water mark of 0, so `pull` runs only when the transfer's pipe reads, which it does once the
// main thread asked for the previous batch (the transfer's writable side holds one chunk until
// then). So at each `pull`:
// - the previous batch has reached the main thread, whose reader has taken its first event (the
//   main thread reads the transfer only when it has nothing left and its reader waits); the rest
//   may still be unread there;
// - the batch this pull hands over waits in the transfer until the main thread asks again.
// Generation goes on only while those, plus the events ready here, stay under `runAhead`.
//
// The first batch goes apart (`onFirst`, the worker's listener: WorkerListener.first), so that the
// first token needs no round trip through a stream just transferred (a fresh MessagePort, measured
// at several ms: docs/first-token.md). It counts as unread on the main thread until the stream's
// second `pull`. The first `pull` runs as soon as the stream is transferred, before anyone asked
// for anything, and the main thread does not ask again before it gets that answer: so it answers at
// once with an empty batch. The main thread reads that one once it has handed out the first batch
// and its reader waits, which runs the second `pull`: from then on the stream is as above (the empty
// batch's "first event" is the one the reader now waits for).
//
// While a batch waits in the transfer, the producer lets the worker's event loop run between decode
// steps (nextTask): the main thread's ask for it is a message, and a backend whose steps finish in
// microtasks (WASM) would otherwise read it only once generation reached the bound. Then the threads
// took turns, the worker idle while the page handled a batch and the page idle while the worker
// filled the next one; now they work at once (docs/throughput.md).
import type { StreamBatch, StreamEvent } from '../src/shared/protocol.js';
import type { EventSource } from './generation.js';
import { nextTask } from './next-task.js';

/**
 * How long, at most, the producer decodes while a batch waits before it lets the worker's event loop
 * run: each ask answered is a hop between the threads that costs both of them about as much as a
 * decode step of the embedded model on WASM, so a fast model fills a third of the bound first (see
 * `perHop`). Slower steps (WebGPU, real models) answer every ask at the next step. It also bounds how
 * long a cancel, another message, waits on a fast model (docs/flow-control.md).
 */
const TASK_SLICE_MS = 8;

export function toBatchedStream(
  source: EventSource,
  runAhead: number,
  onFirst?: (batch: StreamBatch) => void,
): ReadableStream<StreamBatch> {
  const ready: StreamEvent[] = [];
  /** Events of the batch in the transfer, and of the one before it that the main thread may not have read. */
  let inTransfer = 0;
  let unreadOnMain = 0;
  /** A batch (possibly the empty one) waits in the transfer for the main thread's ask. */
  let batchWaits = false;
  let lastTask = 0;
  let ended = false;
  /** The first batch is still to go through `onFirst`; the stream's first `pull` (at the transfer) has not run yet. */
  let firstApart = onFirst !== undefined;
  let firstPull = onFirst !== undefined;
  let wakeReader = () => {};
  let wakeProducer = () => {};
  const ahead = () => unreadOnMain + inTransfer + ready.length;
  // A hop holds about a third of the bound: at an answered ask, the batch before it may be unread
  // on the main thread, this one waits in the transfer and the next fills here, so the producer
  // reaches the bound only if the main thread falls behind.
  const perHop = Math.max(1, Math.floor((runAhead + 1) / 3));

  const produce = async () => {
    for (;;) {
      while (ahead() >= runAhead && !ended) await new Promise<void>((resolve) => (wakeProducer = resolve));
      // The ask, if it came, is answered before this step, once a hop's worth of events is ready
      // (or TASK_SLICE_MS went by): fast steps go a few per hop, slow ones one.
      if (batchWaits && (ready.length >= perHop || performance.now() - lastTask >= TASK_SLICE_MS)) {
        await nextTask();
        lastTask = performance.now();
      }
      if (ended) return;
      const event = await source.pull(); // never rejects: failures come as an error event
      if (event) ready.push(event);
      else ended = true;
      if (event && firstApart) {
        firstApart = false;
        const first = ready.splice(0);
        unreadOnMain = first.length; // in the same step: the bound never sees it uncounted
        onFirst?.(first);
      }
      wakeReader();
      if (!event) return;
    }
  };

  const eventReady = () => new Promise<void>((resolve) => (wakeReader = resolve));

  return new ReadableStream<StreamBatch>(
    {
      start() {
        void produce();
      },
      async pull(controller) {
        if (firstPull) {
          firstPull = false; // the transfer's own read: nobody asked for anything yet
          if (ended && ready.length === 0) controller.close();
          else {
            controller.enqueue([]);
            batchWaits = true;
          }
          return;
        }
        batchWaits = false;
        unreadOnMain = Math.max(0, inTransfer - 1);
        inTransfer = 0;
        wakeProducer();
        while (ready.length === 0 && !ended) await eventReady();
        if (ready.length === 0) {
          controller.close();
          return;
        }
        const batch = ready.splice(0);
        inTransfer = batch.length;
        controller.enqueue(batch);
        batchWaits = true;
      },
      cancel: () => {
        ended = true;
        wakeProducer();
        return source.cancel();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}
