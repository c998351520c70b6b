// Reads the model's text as it streams and splits out Hermes-form tool calls
// (src/shared/tool-call-format.ts): text outside `<tool_call>` blocks is content; inside, the
// call's name is reported as soon as it is complete and its arguments fragment by fragment, as
// OpenAI streams them. A block in another key order, or whose arguments are not an object or array
// (a JSON string of them, as some models write), is reported whole when it closes; a block that is
// no call (unreadable JSON) is content.
import { TOOL_CALL_OPEN } from '../shared/tool-call-format.js';

const TOOL_CALL_CLOSE = '</tool_call>';
/** `{"name": "get_weather", "arguments": ` (Llama-style `parameters` accepted too). */
const CALL_HEAD = /^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"(?:arguments|parameters)"\s*:\s*/;

export type ParsedEvent =
  | { type: 'content'; text: string }
  /** A call begins: `call` counts calls from 0 in this output. */
  | { type: 'call'; call: number; id: string; name: string }
  | { type: 'arguments'; call: number; text: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const newCallId = (): string => `call_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;

/** The longest end of `text` that could begin `marker`. */
function partialMarker(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) if (marker.startsWith(text.slice(-n))) return n;
  return 0;
}

export interface ParserOptions {
  /** Calls to read; the output after the last of them is dropped (`parallel_tool_calls: false`: 1). */
  maxCalls?: number;
}

/** A JSON string literal's value, or undefined where it is no valid JSON string. */
function jsonString(literal: string): string | undefined {
  try {
    const value: unknown = JSON.parse(`"${literal}"`);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export class ToolCallParser {
  /** 'whole': a call whose name is out, its arguments read when the block closes; 'done': maxCalls read. */
  private state: 'text' | 'head' | 'arguments' | 'whole' | 'tail' | 'done' = 'text';
  private buffer = '';
  private calls = 0;
  /** JSON scanning state of the arguments value. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Blanks after a call, held until text follows (content) or another call or the end (dropped). */
  private blanks = '';

  private readonly maxCalls: number;

  constructor(private readonly newId: () => string = newCallId, { maxCalls = Infinity }: ParserOptions = {}) {
    this.maxCalls = maxCalls;
  }

  /** Calls read so far; after end(), a call cut short in its arguments too (its name and id are out). */
  get callCount(): number {
    return this.calls;
  }

  push(text: string): ParsedEvent[] {
    this.buffer += text;
    const out: ParsedEvent[] = [];
    for (let progress = true; progress && this.buffer; ) progress = this.step(out);
    return out;
  }

  /** The end of the output: held-back text, or a call the model left unclosed. */
  end(): ParsedEvent[] {
    const out: ParsedEvent[] = [];
    if (this.state === 'text') this.content(out, this.buffer);
    else if (this.state === 'head') this.wholeBlock(out, this.buffer);
    else if (this.state === 'whole') this.wholeArguments(out, this.buffer);
    else if (this.state === 'arguments') this.calls++;
    this.buffer = this.blanks = '';
    this.state = 'text';
    return out;
  }

  private content(out: ParsedEvent[], text: string): void {
    if (!text) return;
    // Between and after calls, the separators are no content: blanks after a call wait for text,
    // however the stream splits them.
    if (this.calls > 0 && !text.trim()) {
      this.blanks += text;
      return;
    }
    out.push({ type: 'content', text: this.blanks + text });
    this.blanks = '';
  }

  private call(out: ParsedEvent[], name: string): void {
    out.push({ type: 'call', call: this.calls, id: this.newId(), name });
    this.blanks = '';
  }

  /** One transition; false when it needs more text. */
  private step(out: ParsedEvent[]): boolean {
    switch (this.state) {
      case 'text': {
        const at = this.buffer.indexOf(TOOL_CALL_OPEN);
        if (at >= 0) {
          this.content(out, this.buffer.slice(0, at));
          this.buffer = this.buffer.slice(at + TOOL_CALL_OPEN.length);
          this.state = 'head';
          return true;
        }
        const held = partialMarker(this.buffer, TOOL_CALL_OPEN);
        this.content(out, this.buffer.slice(0, this.buffer.length - held));
        this.buffer = this.buffer.slice(this.buffer.length - held);
        return false;
      }
      case 'head': {
        const head = CALL_HEAD.exec(this.buffer);
        // A name that is no JSON string (a bad escape, a raw newline): the block is read whole.
        const name = head ? jsonString(head[1]!) : undefined;
        if (head && name !== undefined) {
          this.call(out, name);
          this.buffer = this.buffer.slice(head[0].length);
          this.state = 'arguments';
          this.depth = 0;
          this.inString = this.escaped = false;
          return true;
        }
        const close = this.buffer.indexOf(TOOL_CALL_CLOSE);
        if (close < 0) return false;
        this.wholeBlock(out, this.buffer.slice(0, close), TOOL_CALL_CLOSE);
        this.buffer = this.buffer.slice(close + TOOL_CALL_CLOSE.length);
        this.state = this.afterBlock();
        return true;
      }
      case 'arguments': {
        // Whitespace before the value (the head's pattern may have stopped short of it).
        if (this.depth === 0) {
          this.buffer = this.buffer.trimStart();
          if (!this.buffer) return false;
          if (this.buffer[0] !== '{' && this.buffer[0] !== '[') {
            this.state = 'whole';
            return true;
          }
        }
        const end = this.scanValue();
        const fragment = this.buffer.slice(0, end ?? this.buffer.length);
        if (fragment) out.push({ type: 'arguments', call: this.calls, text: fragment });
        this.buffer = this.buffer.slice(fragment.length);
        if (end === undefined) return false;
        this.calls++;
        this.state = 'tail';
        return true;
      }
      case 'whole': {
        const close = this.buffer.indexOf(TOOL_CALL_CLOSE);
        if (close < 0) return false;
        this.wholeArguments(out, this.buffer.slice(0, close));
        this.buffer = this.buffer.slice(close + TOOL_CALL_CLOSE.length);
        this.state = this.afterBlock();
        return true;
      }
      case 'tail': {
        const close = this.buffer.indexOf(TOOL_CALL_CLOSE);
        if (close < 0) {
          this.buffer = this.buffer.slice(Math.max(0, this.buffer.length - TOOL_CALL_CLOSE.length));
          return false;
        }
        this.buffer = this.buffer.slice(close + TOOL_CALL_CLOSE.length);
        this.state = this.afterBlock();
        return true;
      }
      case 'done':
        this.buffer = '';
        return false;
    }
  }

  private afterBlock(): 'text' | 'done' {
    return this.calls < this.maxCalls ? 'text' : 'done';
  }

  /**
   * The rest of a call's block after `"arguments": ` when it is not an object or array: a JSON string
   * holding the arguments (its value is them), else the value as JSON; `{}` when unreadable.
   */
  private wholeArguments(out: ParsedEvent[], rest: string): void {
    let value: unknown;
    try {
      value = JSON.parse(rest.trim().replace(/\}\s*$/, ''));
    } catch {
      value = undefined;
    }
    out.push({ type: 'arguments', call: this.calls, text: typeof value === 'string' ? value : JSON.stringify(value ?? {}) });
    this.calls++;
  }

  /** Where the arguments value ends in the buffer (exclusive), or undefined if it goes on. */
  private scanValue(): number | undefined {
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        if (--this.depth === 0) return i + 1;
      }
    }
    return undefined;
  }

  /** A block whose head did not match: one call if it is `{"name", "arguments"}` JSON, else content. */
  private wholeBlock(out: ParsedEvent[], block: string, close = ''): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(block.trim());
    } catch {
      parsed = undefined;
    }
    const call = isRecord(parsed) ? parsed : undefined;
    const args = call?.['arguments'] ?? call?.['parameters'];
    if (call && typeof call['name'] === 'string') {
      this.call(out, call['name']);
      out.push({ type: 'arguments', call: this.calls, text: typeof args === 'string' ? args : JSON.stringify(args ?? {}) });
      this.calls++;
    } else {
      this.content(out, TOOL_CALL_OPEN + block + close);
    }
  }
}

/** A whole output at once (non-streamed responses). */
export function parseToolCalls(
  text: string, options: ParserOptions = {},
): { content: string; calls: Array<{ id: string; name: string; arguments: string }> } {
  const parser = new ToolCallParser(newCallId, options);
  const events = [...parser.push(text), ...parser.end()];
  let content = '';
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  for (const event of events) {
    if (event.type === 'content') content += event.text;
    else if (event.type === 'call') calls.push({ id: event.id, name: event.name, arguments: '' });
    else calls[event.call]!.arguments += event.text;
  }
  return { content, calls };
}
