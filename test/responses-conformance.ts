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
  const types = parsed.events.map((e) => e.type);
  if (types[0] !== 'response.created' || types[1] !== 'response.in_progress') parsed.violations.push(`starts with ${types.slice(0, 2).join(', ')}`);
  const terminal = types.findIndex((t) => TERMINAL.has(t));
  if (terminal === -1) parsed.violations.push('no terminal event');
  else if (types.slice(terminal + 1).some((t) => t !== 'error')) parsed.violations.push('events after the terminal event');
  return parsed;
}

/** The concatenated `response.output_text.delta` texts. */
export const deltaText = (events: ResponseEvent[]): string =>
  events.filter((e) => e.type === 'response.output_text.delta').map((e) => String(e['delta'])).join('');
