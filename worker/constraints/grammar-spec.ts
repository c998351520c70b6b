// What a request constrains its output to, as a grammar both backends understand: xgrammar's
// (worker/constraints/token-mask.ts compiles it for transformers.js; WebLLM takes the same
// definitions in its own `response_format`, worker/webllm/response-format.ts).
import type { GenerateRequest, JsonSchema, OutputFormat, ToolDefinition, ToolsParams } from '../../src/shared/protocol.js';
import { toolCallBegin, TOOL_CALL_END, TOOL_CALL_OPEN, TOOL_CALL_SEPARATOR } from '../../src/shared/tool-call-format.js';

/** xgrammar's structural tag (a subset of its StructuralTagFormat, enough for tool calls). */
export interface ToolCallTag {
  type: 'tag';
  begin: string;
  content: { type: 'json_schema'; json_schema: JsonSchema };
  end: string;
}

/** One or more calls and nothing else. */
export interface CallsFormat { type: 'tags_with_separator'; tags: ToolCallTag[]; separator: string; at_least_one: boolean; stop_after_first: boolean }

/** The answer a `response_format` asks for, as a structural tag element. */
export interface AnswerFormat { type: 'json_schema'; json_schema: JsonSchema }

export type StructuralTagFormat =
  | CallsFormat
  | { type: 'triggered_tags'; triggers: string[]; tags: ToolCallTag[]; at_least_one: boolean; stop_after_first: boolean }
  /**
   * `auto` tools with a `response_format`: an answer in that format, or one call. (xgrammar 0.1.27
   * compiles `or` over plain elements and tags only: with `tags_with_separator` in it, it aborts.)
   */
  | { type: 'or'; elements: [AnswerFormat, ...ToolCallTag[]] };

export type GrammarSpec =
  /** Any JSON object (`response_format: json_object`). */
  | { kind: 'json_object' }
  | { kind: 'json_schema'; schema: JsonSchema }
  | { kind: 'structural_tag'; format: StructuralTagFormat };

const ANY_OBJECT: JsonSchema = { type: 'object' };

function toolTag(tool: ToolDefinition): ToolCallTag {
  return {
    type: 'tag',
    begin: toolCallBegin(tool.name),
    content: { type: 'json_schema', json_schema: tool.strict ? tool.parameters : ANY_OBJECT },
    end: TOOL_CALL_END,
  };
}

/** The tools the choice allows: one for a named choice, all for the others. */
function allowedTools({ tools, tool_choice }: ToolsParams): ToolDefinition[] {
  return typeof tool_choice === 'object' ? tools.filter((tool) => tool.name === tool_choice.name) : tools;
}

/**
 * The grammar for a request, or undefined when its output is free text. `required` and a named
 * tool force one or more calls (and nothing else); `auto` leaves text free until the model opens a
 * call, and then constrains the call where a tool is `strict`.
 */
export function grammarFor(request: GenerateRequest): GrammarSpec | undefined {
  if (!('messages' in request)) return undefined;
  const { tools, response_format: format } = request;
  if (tools && tools.tool_choice !== 'none' && tools.tools.length > 0) {
    const tags = allowedTools(tools).map(toolTag);
    const single = !tools.parallel_tool_calls;
    const calls: CallsFormat = { type: 'tags_with_separator', tags, separator: TOOL_CALL_SEPARATOR, at_least_one: true, stop_after_first: single };
    if (tools.tool_choice === 'auto') {
      // The format holds for the answer whenever the model answers instead of calling (spec:
      // response_format "ensures the model will match your supplied JSON schema").
      const answer = answerFormat(format);
      if (answer) return { kind: 'structural_tag', format: { type: 'or', elements: [answer, ...tags] } };
      if (!tools.tools.some((tool) => tool.strict)) return undefined;
      return { kind: 'structural_tag', format: { type: 'triggered_tags', triggers: [TOOL_CALL_OPEN], tags, at_least_one: false, stop_after_first: single } };
    }
    return { kind: 'structural_tag', format: calls };
  }
  if (format?.type === 'json_object') return { kind: 'json_object' };
  if (format?.type === 'json_schema') return { kind: 'json_schema', schema: format.schema };
  return undefined;
}

function answerFormat(format: OutputFormat | undefined): AnswerFormat | undefined {
  if (format?.type === 'json_object') return { type: 'json_schema', json_schema: ANY_OBJECT };
  if (format?.type === 'json_schema') return { type: 'json_schema', json_schema: format.schema };
  return undefined;
}
