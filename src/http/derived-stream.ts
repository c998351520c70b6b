// Every stream the HTTP layer makes of another (chunk grouping, SSE frames, keep-alives, the
// response body) is made here, so that none of them hand-writes its own cancel or abort listener:
// cancelling a derived stream cancels its source, a failing source errors it, and nothing is read
// ahead (highWaterMark 0: the source is read only while someone reads this stream). Aborts come
// from one place, the request's owner (request-owner.ts), which cancels the outermost stream.

export interface Derivation<T, U> {
  /** What one event of the source becomes: zero or more events. */
  map(value: T): U[];
  /** What comes after the source's last event. */
  flush?(): U[];
  /** While a reader waits this long (ms) for the next event, it gets `value`; at most one waits unread. */
  idle?: { afterMs: number; value: U };
}

/** `source`, one event at a time through `derivation`. */
export function derive<T, U>(source: ReadableStream<T>, derivation: Derivation<T, U>): ReadableStream<U> {
  const reader = source.getReader();
  let cancelled = false;
  return new ReadableStream<U>(
    {
      async pull(controller) {
        const idle = derivation.idle;
        // With highWaterMark 0, desiredSize is 0 while nothing is queued and below 0 once an idle value waits unread.
        const timer = idle && setInterval(() => {
          if (!cancelled && controller.desiredSize === 0) controller.enqueue(idle.value);
        }, idle.afterMs);
        // A source that fails errors this stream (the pull rejects), as its reader would see it.
        try {
          // Read until something is written: a pull that enqueues nothing is not called again.
          for (;;) {
            const { value, done } = await reader.read();
            if (cancelled) return; // the source's end after a cancel is not this stream's: no flush
            const events = done ? (derivation.flush?.() ?? []) : derivation.map(value);
            for (const event of events) controller.enqueue(event);
            if (done) return controller.close();
            if (events.length > 0) return;
          }
        } finally {
          clearInterval(timer);
        }
      },
      cancel(reason) {
        cancelled = true;
        return reader.cancel(reason);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}
