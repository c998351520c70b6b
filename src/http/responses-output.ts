// A response's output items, built as its choice events come (tool calls already split out of the
// text by chat completions' own tool-call-chunks.ts): a `message` item for text and a
// `function_call` item per call, in the order the model wrote them. Each step returns the stream
// events it makes; a whole (non-streamed) response takes the same steps and keeps only the items,
// so both have the same output.
import { ZStreamError, endedEarly } from '../shared/errors.js';
import type { Usage } from '../shared/protocol.js';
import { newId, outputTextPart } from './responses-conversation.js';
import type { FunctionCallItem, OutputItem, OutputMessageItem, ResponseStreamEvent } from './responses-wire.js';
import type { ChatFinishReason } from './openai-types.js';
import type { ToolChoiceEvent } from './tool-call-chunks.js';

/** A stream event before it is numbered. */
export type EventBody = ResponseStreamEvent extends infer E ? (E extends unknown ? Omit<E, 'sequence_number'> : never) : never;

type ItemStatus = OutputMessageItem['status'];

type OpenItem = { item: OutputMessageItem; text: string; index: number } | { item: FunctionCallItem; index: number };

export const messageItem = (id: string, text: string | undefined, status: ItemStatus): OutputMessageItem => ({
  id, type: 'message', role: 'assistant', status, content: text === undefined ? [] : [outputTextPart(text)],
});

export class ResponseOutput {
  /** The items closed so far. */
  readonly items: OutputItem[] = [];
  private open: OpenItem | undefined;
  /** Blank text before anything else, held while a call may follow: a call alone has no message item. */
  private held = '';

  /** `withTools`: the output is read for calls, so the message item opens with the first text, not at once. */
  constructor(private readonly withTools: boolean) {}

  start(): EventBody[] {
    return this.withTools ? [] : this.openMessage();
  }

  text(delta: string): EventBody[] {
    const open = this.open;
    if (open && 'text' in open) {
      open.text += delta;
      return [{ type: 'response.output_text.delta', ...this.at(open), delta, logprobs: [] }];
    }
    if (this.items.length === 0 && !open && !(this.held + delta).trim()) {
      this.held += delta;
      return [];
    }
    const text = this.held + delta;
    this.held = '';
    return [...this.close('completed'), ...this.openMessage(), ...this.text(text)];
  }

  call(callId: string, name: string): EventBody[] {
    this.held = '';
    const closed = this.close('completed');
    const item: FunctionCallItem = { id: newId('fc_'), type: 'function_call', call_id: callId, name, arguments: '', status: 'in_progress' };
    const index = this.items.length;
    this.open = { item, index };
    return [...closed, { type: 'response.output_item.added', output_index: index, item: { ...item } }];
  }

  arguments(fragment: string): EventBody[] {
    const open = this.open;
    if (!open || 'text' in open || !fragment) return [];
    open.item.arguments += fragment;
    return [{ type: 'response.function_call_arguments.delta', item_id: open.item.id, output_index: open.index, delta: fragment }];
  }

  /** The end of the output: the open item closes with `status`; an output with no item gets its (maybe empty) message. */
  finish(status: 'completed' | 'incomplete'): EventBody[] {
    const events: EventBody[] = [];
    if (this.items.length === 0 && !this.open) {
      const held = this.held;
      this.held = '';
      events.push(...this.openMessage(), ...(held ? this.text(held) : []));
    }
    return [...events, ...this.close(status)];
  }

  /** A failure: the open item is kept as it is, incomplete, without events. */
  fail(): OutputItem[] {
    if (this.items.length === 0 && !this.open) this.openMessage();
    this.close('incomplete');
    return this.items;
  }

  /** One choice event (text or a tool-call delta). */
  take(event: Extract<ToolChoiceEvent, { type: 'delta' | 'tool_call' }>): EventBody[] {
    if (event.type === 'delta') return this.text(event.text);
    const { id, function: fn } = event.delta;
    return id === undefined ? this.arguments(fn.arguments) : this.call(id, fn.name ?? '');
  }

  private at(open: OpenItem) {
    return { item_id: open.item.id, output_index: open.index, content_index: 0 } as const;
  }

  private openMessage(): EventBody[] {
    const open = { item: messageItem(newId('msg_'), undefined, 'in_progress'), text: '', index: this.items.length };
    this.open = open;
    return [
      { type: 'response.output_item.added', output_index: open.index, item: open.item },
      { type: 'response.content_part.added', ...this.at(open), part: outputTextPart('') },
    ];
  }

  private close(status: ItemStatus): EventBody[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    if ('text' in open) {
      const item = messageItem(open.item.id, open.text, status);
      this.items.push(item);
      return [
        { type: 'response.output_text.done', ...this.at(open), text: open.text, logprobs: [] },
        { type: 'response.content_part.done', ...this.at(open), part: outputTextPart(open.text) },
        { type: 'response.output_item.done', output_index: open.index, item },
      ];
    }
    const item: FunctionCallItem = { ...open.item, status };
    this.items.push(item);
    return [
      { type: 'response.function_call_arguments.done', item_id: item.id, output_index: open.index, name: item.name, arguments: item.arguments },
      { type: 'response.output_item.done', output_index: open.index, item },
    ];
  }
}

export interface CollectedOutput {
  items: OutputItem[];
  finishReason: ChatFinishReason;
  usage: Usage;
}

/** A whole response's output, for the non-streamed answer; a failure rejects with its ZStreamError. */
export async function collectOutput(events: ReadableStream<ToolChoiceEvent>, withTools: boolean): Promise<CollectedOutput> {
  const output = new ResponseOutput(withTools);
  for await (const event of events) {
    if (event.type === 'start') output.start();
    else if (event.type === 'error') throw ZStreamError.deserialize(event.error);
    else if (event.type === 'finish') {
      if (!event.usage) break;
      output.finish(event.finish_reason === 'length' ? 'incomplete' : 'completed');
      return { items: output.items, finishReason: event.finish_reason, usage: event.usage };
    } else output.take(event);
  }
  throw endedEarly();
}
