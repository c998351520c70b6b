// Reads a raw Responses API SSE body with a real SSE parser and checks it as OpenAI sends it:
// every event valid against ResponseStreamEvent (and its Response against Response), the SSE
// event name equal to the data's `type`, sequence numbers 0, 1, 2, …, the lifecycle in order.
// Shared by the unit tests (fake engine) and the e2e tests (real model, raw bytes from the page).
import { createParser } from 'eventsource-parser';
import { schemaErrors, type SchemaName } from './openai-spec.js';

export type ResponseEvent = Record<string, unknown> & { type: string; sequence_number: number };

export interface ParsedResponseStream {
  events: ResponseEvent[];
  comments: string[];
  violations: string[];
}

const EVENT_SCHEMAS: Record<string, SchemaName> = {
  'response.created': 'ResponseCreatedEvent',
  'response.in_progress': 'ResponseInProgressEvent',
  'response.output_item.added': 'ResponseOutputItemAddedEvent',
  'response.content_part.added': 'ResponseContentPartAddedEvent',
  'response.output_text.delta': 'ResponseTextDeltaEvent',
  'response.output_text.done': 'ResponseTextDoneEvent',
  'response.content_part.done': 'ResponseContentPartDoneEvent',
  'response.output_item.done': 'ResponseOutputItemDoneEvent',
  'response.function_call_arguments.delta': 'ResponseFunctionCallArgumentsDeltaEvent',
  'response.function_call_arguments.done': 'ResponseFunctionCallArgumentsDoneEvent',
  'response.completed': 'ResponseCompletedEvent',
  'response.incomplete': 'ResponseIncompleteEvent',
  'response.failed': 'ResponseFailedEvent',
  error: 'ResponseErrorEvent',
};

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export function parseResponseStream(raw: string): ParsedResponseStream {
  const parsed: ParsedResponseStream = { events: [], comments: [], violations: [] };
  const parser = createParser({
    onEvent(message) {
      if (message.data === '[DONE]') return void parsed.violations.push('a Responses stream has no [DONE]');
      const event = JSON.parse(message.data) as ResponseEvent;
      if (message.event !== event.type) parsed.violations.push(`event name ${message.event} for type ${event.type}`);
      // The union's complaints list every event kind; the matching kind's own schema says what is wrong.
      if (schemaErrors('ResponseStreamEvent', event).length > 0) {
        const own = EVENT_SCHEMAS[event.type];
        parsed.violations.push(...(own ? schemaErrors(own, event) : [`unknown event type ${event.type}`]));
      }
      if ('response' in event) parsed.violations.push(...schemaErrors('Response', event['response']));
      parsed.events.push(event);
    },
    onComment: (comment) => void parsed.comments.push(comment),
  });
  parser.feed(raw);
  parsed.events.forEach((event, i) => {
    if (event.sequence_number !== i) parsed.violations.push(`sequence_number ${event.sequence_number} at position ${i}`);
  });
  parsed.violations.push(...itemViolations(parsed.events));
  const types = parsed.events.map((e) => e.type);
  if (types[0] !== 'response.created' || types[1] !== 'response.in_progress') parsed.violations.push(`starts with ${types.slice(0, 2).join(', ')}`);
  const terminal = types.findIndex((t) => TERMINAL.has(t));
  if (terminal === -1) parsed.violations.push('no terminal event');
  else if (types.slice(terminal + 1).some((t) => t !== 'error')) parsed.violations.push('events after the terminal event');
  return parsed;
}

/**
 * Output items one at a time, as OpenAI streams them: indexes 0, 1, 2, …; every event of an item
 * (its deltas, parts, done) between its output_item.added and output_item.done, with its id.
 */
function itemViolations(events: ResponseEvent[]): string[] {
  const violations: string[] = [];
  let open: { index: number; id: string } | undefined;
  let next = 0;
  for (const event of events) {
    if (!('output_index' in event)) continue;
    const index = event['output_index'];
    const id = 'item' in event ? (event['item'] as { id: string }).id : event['item_id'];
    if (event.type === 'response.output_item.added') {
      if (open) violations.push(`item ${index} added while item ${open.index} is open`);
      if (index !== next++) violations.push(`item added at output_index ${String(index)}, expected ${next - 1}`);
      open = { index: Number(index), id: String(id) };
    } else if (!open || open.index !== index || open.id !== id) {
      violations.push(`${event.type} for item ${String(index)} (${String(id)}) outside it`);
    } else if (event.type === 'response.output_item.done') open = undefined;
  }
  // A failure ends the stream with the item open.
  if (open && !events.some((e) => e.type === 'response.failed')) violations.push(`item ${open.index} never done`);
  return violations;
}

/** The concatenated `response.function_call_arguments.delta` fragments of the item at `outputIndex`. */
export const argumentsText = (events: ResponseEvent[], outputIndex: number): string =>
  events.filter((e) => e.type === 'response.function_call_arguments.delta' && e['output_index'] === outputIndex).map((e) => String(e['delta'])).join('');

/** The concatenated `response.output_text.delta` texts. */
export const deltaText = (events: ResponseEvent[]): string =>
  events.filter((e) => e.type === 'response.output_text.delta').map((e) => String(e['delta'])).join('');
