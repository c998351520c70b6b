// A prototype, for the bench only: the engine's events as a transferred stream of batches. A
// producer runs the generation up to `limit` events ahead; each pull takes every event ready, so
// one round trip between the threads carries several tokens when the page is slower than the model.
import type { StreamEvent } from '../../src/protocol.js';
import type { EventSource } from '../../worker/generation.js';

export function batchedStream(source: EventSource, limit: number): ReadableStream<StreamEvent[]> {
  const ready: StreamEvent[] = [];
  let ended = false;
  let wakeReader = () => {};
  let wakeProducer = () => {};
  const produce = async () => {
    for (;;) {
      while (ready.length >= limit) await new Promise<void>((resolve) => (wakeProducer = resolve));
      const event = await source.pull();
      if (event) ready.push(event);
      else ended = true;
      wakeReader();
      if (!event) return;
    }
  };
  return new ReadableStream<StreamEvent[]>(
    {
      start() {
        void produce();
      },
      async pull(controller) {
        while (ready.length === 0 && !ended) await new Promise<void>((resolve) => (wakeReader = resolve));
        if (ready.length === 0) controller.close();
        else controller.enqueue(ready.splice(0));
        wakeProducer();
      },
      cancel: () => source.cancel(),
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}
