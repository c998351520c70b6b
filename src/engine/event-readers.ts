// Reading one request's StreamEvents the two ways the Engine API offers: as text deltas
// (chatStream) and as one result (chat). Shared by every Engine: the worker's and the pass-through.
import type { ChatResult } from './types.js';
import { ZStreamError, endedEarly } from '../shared/errors.js';
import type { StreamEvent } from '../shared/protocol.js';

/** Text deltas; `break`, `return()` or a throw in the consumer's loop cancel the stream (and the generation). */
async function* textDeltas(events: ReadableStream<StreamEvent>): AsyncGenerator<string> {
  const reader = events.getReader();
  let finished = false;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.type === 'delta') yield value.text;
      else if (value.type === 'error') throw ZStreamError.deserialize(value.error);
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel();
  }
}

/**
 * `chatStream`'s iterator over the request `open` starts. `return()` (a `break`, a Stop button)
 * aborts the request at once, even while a `next()` waits on it: an async generator's own return()
 * would wait behind that next(), so a queued request would still run and a running one would go on
 * to its next token. The waiting next() then resolves as done.
 */
export function chatDeltas(open: (signal: AbortSignal) => Promise<ReadableStream<StreamEvent>>, signal?: AbortSignal): AsyncIterableIterator<string> {
  const stop = new AbortController();
  const deltas = (async function* () {
    yield* textDeltas(await open(signal ? AbortSignal.any([signal, stop.signal]) : stop.signal));
  })();
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const end = () => {
    stop.abort();
    deltas.return(undefined).catch(() => {}); // settles after a waiting next(); nothing to report
  };
  return {
    async next() {
      if (stop.signal.aborted) return done;
      try {
        return await deltas.next();
      } catch (error) {
        if (stop.signal.aborted) return done;
        throw error;
      }
    },
    async return() {
      end();
      return done;
    },
    async throw(error: unknown) {
      end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The whole answer, with its finish reason and usage; a throw in `onToken` cancels the stream (and the generation). */
export async function collectResult(events: ReadableStream<StreamEvent>, onToken?: (text: string) => void): Promise<ChatResult> {
  const reader = events.getReader();
  let finished = false;
  try {
    let text = '';
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw endedEarly();
      if (value.type === 'delta') {
        text += value.text;
        onToken?.(value.text);
      } else if (value.type === 'error') {
        throw ZStreamError.deserialize(value.error);
      } else {
        finished = true;
        return { text, finish_reason: value.finish_reason, usage: value.usage };
      }
    }
  } finally {
    if (!finished) await reader.cancel();
  }
}
