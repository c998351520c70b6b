// The Responses API's semantic event stream, made from the same choice events as the chat chunk
// stream (choices.ts), one SSE event (`event: <type>`) per frame, `sequence_number` counting from 0:
//   response.created, response.in_progress, response.output_item.added, response.content_part.added,
//   response.output_text.delta (one per delta), response.output_text.done, response.content_part.done,
//   response.output_item.done, then response.completed or response.incomplete (max_output_tokens).
// A failure after the stream began: response.failed with the text so far, then OpenAI's `error`
// event (every SDK raises it). The stream has no [DONE]: OpenAI's Responses streams just end.
import type { ChoiceEvent } from './choices.js';
import { ZStreamError, endedEarly } from '../shared/errors.js';
import { newId } from './responses-conversation.js';
import { failedResponse, finishedResponse, messageItem } from './responses-object.js';
import type { OutputTextPart, ResponseObject, ResponseStreamEvent } from './responses-wire.js';
import { sseEvent } from './sse.js';
import type { SerializedError } from '../shared/protocol.js';

type EventBody = ResponseStreamEvent extends infer E ? (E extends unknown ? Omit<E, 'sequence_number'> : never) : never;

/**
 * A function from choice events to SSE frames for one response. `settled` is called with the
 * final Response (completed, incomplete or failed), before its event is written.
 */
export function responseFrames(initial: ResponseObject, settled: (response: ResponseObject) => void): (event: ChoiceEvent) => Uint8Array[] {
  let sequence = 0;
  const itemId = newId('msg_');
  let text = '';
  const frame = (event: EventBody) => sseEvent(event.type, { ...event, sequence_number: sequence++ });
  const at = { item_id: itemId, output_index: 0, content_index: 0 } as const;
  const part = (): OutputTextPart => ({ type: 'output_text', text, annotations: [], logprobs: [] });

  const failure = (error: SerializedError): Uint8Array[] => {
    const failed = failedResponse(initial, messageItem(itemId, text, 'incomplete'), error);
    settled(failed);
    const body = ZStreamError.deserialize(error).toJSON().error;
    return [
      frame({ type: 'response.failed', response: failed }),
      frame({ type: 'error', code: body.code, message: body.message, param: body.param }),
    ];
  };

  return (event) => {
    switch (event.type) {
      case 'start':
        return [
          frame({ type: 'response.created', response: initial }),
          frame({ type: 'response.in_progress', response: initial }),
          frame({ type: 'response.output_item.added', output_index: 0, item: messageItem(itemId, undefined, 'in_progress') }),
          frame({ type: 'response.content_part.added', ...at, part: part() }),
        ];
      case 'delta':
        text += event.text;
        return [frame({ type: 'response.output_text.delta', ...at, delta: event.text, logprobs: [] })];
      case 'finish': {
        // n is 1: the one choice's finish carries the usage. Without it the stream ended early.
        if (!event.usage) return failure(endedEarly().serialize());
        const item = messageItem(itemId, text, event.finish_reason === 'stop' ? 'completed' : 'incomplete');
        const final = finishedResponse(initial, item, event.finish_reason, event.usage);
        settled(final);
        return [
          frame({ type: 'response.output_text.done', ...at, text, logprobs: [] }),
          frame({ type: 'response.content_part.done', ...at, part: part() }),
          frame({ type: 'response.output_item.done', output_index: 0, item }),
          frame({ type: final.status === 'completed' ? 'response.completed' : 'response.incomplete', response: final }),
        ];
      }
      case 'error':
        return failure(event.error);
    }
  };
}
