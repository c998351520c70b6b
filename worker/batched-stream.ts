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
import type { StreamBatch, StreamEvent } from '../src/shared/protocol.js';
import type { EventSource } from './generation.js';

export function toBatchedStream(source: EventSource, runAhead: number): ReadableStream<StreamBatch> {
  const ready: StreamEvent[] = [];
  /** Events of the batch in the transfer, and of the one before it that the main thread may not have read. */
  let inTransfer = 0;
  let unreadOnMain = 0;
  let ended = false;
  let wakeReader = () => {};
  let wakeProducer = () => {};
  const ahead = () => unreadOnMain + inTransfer + ready.length;

  const produce = async () => {
    for (;;) {
      while (ahead() >= runAhead && !ended) await new Promise<void>((resolve) => (wakeProducer = resolve));
      if (ended) return;
      const event = await source.pull(); // never rejects: failures come as an error event
      if (event) ready.push(event);
      else ended = true;
      wakeReader();
      if (!event) return;
    }
  };

  return new ReadableStream<StreamBatch>(
    {
      start() {
        void produce();
      },
      async pull(controller) {
        unreadOnMain = Math.max(0, inTransfer - 1);
        inTransfer = 0;
        wakeProducer();
        while (ready.length === 0 && !ended) await new Promise<void>((resolve) => (wakeReader = resolve));
        if (ready.length === 0) {
          controller.close();
          return;
        }
        const batch = ready.splice(0);
        inTransfer = batch.length;
        controller.enqueue(batch);
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
