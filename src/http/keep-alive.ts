// SSE keep-alives: while a reader waits longer than `intervalMs` for the next frame (a long
// prefill, a queue), it gets a `: keep-alive` comment, which every SSE client ignores
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream) but which
// idle timeouts count as traffic. Only a waiting reader gets them, and at most one unread at a time.
import { derive } from './derived-stream.js';

/** `body`, plus `comment` (an SSE comment frame) whenever its reader has waited `intervalMs` for a chunk. */
export function withKeepAlive(body: ReadableStream<Uint8Array>, intervalMs: number, comment: Uint8Array): ReadableStream<Uint8Array> {
  if (intervalMs <= 0) return body;
  return derive(body, { map: (chunk) => [chunk], idle: { afterMs: intervalMs, value: comment } });
}
