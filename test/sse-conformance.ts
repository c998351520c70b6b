// Reads a raw SSE body with a real SSE parser (eventsource-parser) and checks every chunk against
// OpenAI's schema. Shared by the unit tests (fake engine) and the e2e tests (real model, raw bytes
// collected in the page).
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { completionChunkErrors, schemaErrors } from './openai-spec.js';

export type StreamKind = 'chat' | 'completion';

export interface ParsedStream {
  /** The JSON of every `data:` event before `[DONE]`. */
  chunks: Array<Record<string, unknown>>;
  /** The JSON of every `event: error`. */
  errors: unknown[];
  /** Whether `data: [DONE]` came, and whether anything came after it. */
  done: boolean;
  afterDone: EventSourceMessage[];
  comments: string[];
  /** Every way a chunk or error departs from OpenAI's schemas; empty when all conform. */
  violations: string[];
}

export function parseStream(raw: string, kind: StreamKind): ParsedStream {
  const parsed: ParsedStream = { chunks: [], errors: [], done: false, afterDone: [], comments: [], violations: [] };
  const parser = createParser({
    onEvent(message) {
      if (parsed.done) parsed.afterDone.push(message);
      else if (message.data === '[DONE]') parsed.done = true;
      else if (message.event === 'error') {
        const error: unknown = JSON.parse(message.data);
        parsed.errors.push(error);
        parsed.violations.push(...schemaErrors('ErrorResponse', error));
      } else if (message.event !== undefined) {
        parsed.violations.push(`unexpected event type '${message.event}'`);
      } else {
        const chunk = JSON.parse(message.data) as Record<string, unknown>;
        parsed.chunks.push(chunk);
        parsed.violations.push(...(kind === 'chat' ? schemaErrors('CreateChatCompletionStreamResponse', chunk) : completionChunkErrors(chunk)));
      }
    },
    onComment: (comment) => parsed.comments.push(comment),
    onError: (error) => parsed.violations.push(`SSE: ${error.message}`),
  });
  parser.feed(raw);
  return parsed;
}

/** The text of choice `index` across chunks (chat deltas or completion texts). */
export function choiceText(chunks: ParsedStream['chunks'], index = 0): string {
  return chunks
    .flatMap((chunk) => (chunk['choices'] as Array<Record<string, unknown>>).filter((c) => c['index'] === index))
    .map((c) => {
      const delta = c['delta'] as { content?: string } | undefined;
      return delta ? delta.content ?? '' : String(c['text'] ?? '');
    })
    .join('');
}
