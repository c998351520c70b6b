// The tool-call form zStream reads and writes: Hermes' (Qwen2.5, Hermes 2/3 and many fine-tunes
// use it natively): `<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>`,
// one block per call. Models whose template has no tools get them in a system message that asks
// for this form (worker/tool-calls/render.ts); constrained decoding writes exactly this form (worker/constraints/grammar-spec.ts);
// the main thread parses it back (src/http/tool-call-parser.ts). Both threads import this file.
import type { ToolsParams } from './protocol.js';

export const TOOL_CALL_OPEN = '<tool_call>';
export const TOOL_CALL_END = '}\n</tool_call>';
export const TOOL_CALL_SEPARATOR = '\n';

/** The text of a call up to its arguments object. JSON.stringify quotes the name as JSON does. */
export const toolCallBegin = (name: string): string => `${TOOL_CALL_OPEN}\n{"name": ${JSON.stringify(name)}, "arguments": `;

/** A whole call, as a past assistant turn is replayed to a template without tool support. */
export const toolCallText = (name: string, args: string): string => `${toolCallBegin(name)}${args}${TOOL_CALL_END}`;

/** Whether a request's output is read for tool calls (the main thread parses them; the worker readies no next turn after one). */
export const parsesToolCalls = (tools: ToolsParams | undefined): tools is ToolsParams =>
  tools !== undefined && tools.tool_choice !== 'none';
