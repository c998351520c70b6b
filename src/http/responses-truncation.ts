// `truncation: 'auto'` (spec: CreateResponse.truncation): "If the input to this Response exceeds the
// context window size for a model, the model will truncate the response to fit the context window
// by dropping items from the beginning of the conversation." The engine tells whether a request
// fits (a 400 `context_length_exceeded` before it generates anything), so items are dropped from
// the start, one at a time, until it does: each try costs a tokenization in the worker, no forward pass.
import { ZStreamError } from '../shared/errors.js';
import type { InputItem } from './responses-request.js';

const tooLong = (error: unknown): boolean => error instanceof ZStreamError && error.code === 'context_length_exceeded';

/** `start` on the whole conversation, or with `auto` on the longest end of it that fits. */
export async function fitConversation<T>(
  history: InputItem[], truncation: 'auto' | 'disabled', start: (kept: InputItem[]) => Promise<T>,
): Promise<T> {
  for (let from = 0; ; ) {
    try {
      return await start(history.slice(from));
    } catch (error) {
      if (truncation !== 'auto' || !tooLong(error)) throw error;
      from = nextStart(history, from);
      if (from >= history.length) throw error; // the last item alone does not fit
    }
  }
}

/** Past one item, and past the outputs whose calls that dropped (OpenAI refuses an output without its call). */
function nextStart(history: InputItem[], from: number): number {
  let next = from + 1;
  while (history[next]?.type === 'function_call_output') next++;
  return next;
}
