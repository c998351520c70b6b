// Tool calls on the chat wire: each choice's text deltas go through a ToolCallParser, so a call's
// first chunk carries index, id, type and name, and the next ones its arguments as generated
// (never the whole call in the last chunk); a choice that called a tool finishes with `tool_calls`.
import type { ChoiceEvent } from './choices.js';
import type { ChatFinishReason, ChatMessageBody, ToolCallDelta } from './openai-types.js';
import { ToolCallParser, newCallId, parseToolCalls, type ParsedEvent, type ParserOptions } from './tool-call-parser.js';
import type { FinishReason, ToolsParams } from '../shared/protocol.js';

export type ToolChoiceEvent =
  | Exclude<ChoiceEvent, { type: 'finish' }>
  | (Omit<Extract<ChoiceEvent, { type: 'finish' }>, 'finish_reason'> & { finish_reason: ChatFinishReason })
  | { type: 'tool_call'; index: number; delta: ToolCallDelta };

/**
 * `parallel_tool_calls: false`: one call at most. The grammar enforces it where it constrains the
 * calls (strict tools, `required`, a named tool); with free text (`auto`) the output after the
 * first call is dropped here.
 */
export const parserOptions = (tools: ToolsParams): ParserOptions => (tools.parallel_tool_calls ? {} : { maxCalls: 1 });

function toEvents(index: number, parsed: ParsedEvent[]): ToolChoiceEvent[] {
  return parsed.map((event): ToolChoiceEvent => {
    if (event.type === 'content') return { type: 'delta', index, text: event.text };
    if (event.type === 'call') {
      return { type: 'tool_call', index, delta: { index: event.call, id: event.id, type: 'function', function: { name: event.name, arguments: '' } } };
    }
    return { type: 'tool_call', index, delta: { index: event.call, function: { arguments: event.text } } };
  });
}

/** Splits tool calls out of each choice's deltas. */
export function toolCallEvents(options: ParserOptions = {}): TransformStream<ChoiceEvent, ToolChoiceEvent> {
  const parsers = new Map<number, ToolCallParser>();
  return new TransformStream({
    transform(event, controller) {
      if (event.type === 'start') parsers.set(event.index, new ToolCallParser(newCallId, options));
      const parser = 'index' in event ? parsers.get(event.index) : undefined;
      if (event.type === 'delta' && parser) {
        for (const out of toEvents(event.index, parser.push(event.text))) controller.enqueue(out);
      } else if (event.type === 'finish' && parser) {
        for (const out of toEvents(event.index, parser.end())) controller.enqueue(out);
        const called = parser.callCount > 0 && event.finish_reason === 'stop';
        controller.enqueue({ ...event, finish_reason: called ? 'tool_calls' : event.finish_reason });
      } else controller.enqueue(event);
    },
  });
}

/** A whole choice's message: with calls, `content` is null unless the model also wrote text. */
export function toolCallMessage(
  text: string, finishReason: FinishReason, options: ParserOptions = {},
): { message: ChatMessageBody; finish_reason: ChatFinishReason } {
  const { content, calls } = parseToolCalls(text, options);
  if (calls.length === 0) return { message: { role: 'assistant', content: text, refusal: null }, finish_reason: finishReason };
  return {
    message: {
      role: 'assistant',
      content: content.trim() ? content : null,
      refusal: null,
      tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    },
    finish_reason: finishReason === 'stop' ? 'tool_calls' : finishReason,
  };
}
