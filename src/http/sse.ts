// Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html):
// each event is whole in one chunk and ends with a blank line, so clients that split each read
// on newlines see complete events. JSON never contains a raw newline, so one `data:` line is enough.
import { derive } from './derived-stream.js';
import { withKeepAlive } from './keep-alive.js';

const encoder = new TextEncoder();

export function sseData(data: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
}

/** A named event, as OpenAI sends mid-stream errors: `event: error`. */
export function sseEvent(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export const SSE_DONE = encoder.encode('data: [DONE]\n\n');

/** A comment line: clients ignore it, idle timeouts see traffic. */
export const SSE_KEEP_ALIVE = encoder.encode(': keep-alive\n\n');

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

/**
 * A pull-based SSE response: each read of the body pulls one event from `events` and writes the
 * frames `toFrames` makes of it; the body closes when `events` ends. A reader that stops reading
 * stops the pulling, and cancelling the body cancels `events` (derived-stream.ts). If reading
 * `events` fails (an aborted signal), the body errors, as a real fetch body does. A reader kept
 * waiting `keepAliveMs` gets a keep-alive comment.
 */
export function sseResponse<T>(events: ReadableStream<T>, toFrames: (event: T) => Uint8Array[], keepAliveMs = 0): Response {
  const frames = derive(events, { map: toFrames });
  return new Response(withKeepAlive(frames, keepAliveMs, SSE_KEEP_ALIVE), { headers: SSE_HEADERS });
}
