// The Responses API's semantic event stream, made from the same choice events as the chat chunk
// stream (choices.ts; with tools, split into text and calls by tool-call-chunks.ts), one SSE event
// (`event: <type>`) per frame, `sequence_number` counting from 0:
//   response.created, response.in_progress, then per output item (responses-output.ts):
//   a message: response.output_item.added, response.content_part.added, response.output_text.delta
//   (one per delta), response.output_text.done, response.content_part.done, response.output_item.done;
//   a function call: response.output_item.added, response.function_call_arguments.delta (one per
//   fragment, as generated), response.function_call_arguments.done, response.output_item.done;
//   then response.completed or response.incomplete (max_output_tokens).
// A failure after the stream began: response.failed with the output so far, then OpenAI's `error`
// event (every SDK raises it). The stream has no [DONE]: OpenAI's Responses streams just end.
import { ZStreamError, endedEarly } from '../shared/errors.js';
import { failedResponse, finishedResponse } from './responses-object.js';
import { ResponseOutput, type EventBody } from './responses-output.js';
import type { ResponseObject } from './responses-wire.js';
import { sseEvent } from './sse.js';
import type { SerializedError } from '../shared/protocol.js';
import type { ToolChoiceEvent } from './tool-call-chunks.js';

/**
 * A function from choice events to SSE frames for one response. `settled` is called with the
 * final Response (completed, incomplete or failed), before its event is written.
 */
export function responseFrames(
  initial: ResponseObject, withTools: boolean, settled: (response: ResponseObject) => void,
): (event: ToolChoiceEvent) => Uint8Array[] {
  let sequence = 0;
  const output = new ResponseOutput(withTools);
  const frames = (events: EventBody[]) => events.map((event) => sseEvent(event.type, { ...event, sequence_number: sequence++ }));

  const failure = (error: SerializedError): Uint8Array[] => {
    const failed = failedResponse(initial, output.fail(), error);
    settled(failed);
    const body = ZStreamError.deserialize(error).toJSON().error;
    return frames([
      { type: 'response.failed', response: failed },
      { type: 'error', code: body.code, message: body.message, param: body.param },
    ]);
  };

  return (event) => {
    switch (event.type) {
      case 'start':
        return frames([
          { type: 'response.created', response: initial },
          { type: 'response.in_progress', response: initial },
          ...output.start(),
        ]);
      case 'delta':
      case 'tool_call':
        return frames(output.take(event));
      case 'finish': {
        // n is 1: the one choice's finish carries the usage. Without it the stream ended early.
        if (!event.usage) return failure(endedEarly().serialize());
        const done = output.finish(event.finish_reason === 'length' ? 'incomplete' : 'completed');
        const final = finishedResponse(initial, output.items, event.finish_reason, event.usage);
        settled(final);
        return frames([...done, { type: final.status === 'completed' ? 'response.completed' : 'response.incomplete', response: final }]);
      }
      case 'error':
        return failure(event.error);
    }
  };
}
