// SSE keep-alives: while a reader waits longer than `intervalMs` for the next frame (a long
// prefill, a queue), it gets a `: keep-alive` comment, which every SSE client ignores
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream) but which
// idle timeouts count as traffic. Only a waiting reader gets them, and at most one unread at a time.

/** `body`, plus `comment` (an SSE comment frame) whenever its reader has waited `intervalMs` for a chunk. */
export function withKeepAlive(body: ReadableStream<Uint8Array>, intervalMs: number, comment: Uint8Array): ReadableStream<Uint8Array> {
  if (intervalMs <= 0) return body;
  const reader = body.getReader();
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // With highWaterMark 0, desiredSize is 0 while nothing is queued and below 0 once a keep-alive waits unread.
        const timer = setInterval(() => {
          if (!cancelled && controller.desiredSize === 0) controller.enqueue(comment);
        }, intervalMs);
        try {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
        } finally {
          clearInterval(timer);
        }
      },
      cancel: (reason) => {
        cancelled = true;
        return reader.cancel(reason);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}
