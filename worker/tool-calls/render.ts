// Tools and tool-call history into chat-template messages. A template that knows tools
// (Qwen2.5, Llama 3.2, SmolLM2, Hermes: their Jinja reads `tools`, `tool_calls` and the `tool`
// role) gets them in Hugging Face's shapes; any other template gets the documented fallback: the
// tools in a system message that asks for Hermes-form calls, past calls replayed in that form and
// tool results as user turns in `<tool_response>` tags, as Qwen2.5's own template writes them.
import type { ChatMessage, ToolDefinition, ToolsParams } from '../../src/shared/protocol.js';
import { toolCallText } from '../../src/shared/tool-call-format.js';

/** A message as transformers.js' apply_chat_template takes it. */
export interface TemplateMessage {
  role: string;
  content: string;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: unknown } }>;
  tool_call_id?: string;
}

export interface TemplateInput {
  messages: TemplateMessage[];
  /** For `apply_chat_template(messages, { tools })`; absent in the fallback. */
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters: unknown } }>;
}

/** Whether a Jinja chat template renders tools itself. */
export const templateSupportsTools = (template: string): boolean => /\btools\b/.test(template) && /tool_calls?\b/.test(template);

const describeTool = ({ name, description, parameters }: ToolDefinition) => ({
  type: 'function' as const,
  function: { name, ...(description === undefined ? {} : { description }), parameters },
});

/** Hermes' own tool prompt (as Qwen2.5's template words it). */
export function fallbackToolPrompt(tools: ToolDefinition[]): string {
  return (
    '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
    'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
    tools.map((tool) => JSON.stringify(describeTool(tool))).join('\n') +
    '\n</tools>\n\nFor each function call, return a json object with function name and arguments within ' +
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
  );
}

/** Arguments as an object for templates that `tojson` them; text that is not JSON stays text. */
function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function renderForTemplate(messages: ChatMessage[], tools: ToolsParams | undefined, nativeTools: boolean): TemplateInput {
  const offered = tools && tools.tool_choice !== 'none' ? tools.tools : [];
  if (nativeTools) {
    return {
      messages: messages.map(({ role, content, tool_calls, tool_call_id }) => ({
        role,
        content,
        ...(tool_calls?.length
          ? { tool_calls: tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: parsedArguments(c.arguments) } })) }
          : {}),
        ...(tool_call_id === undefined ? {} : { tool_call_id }),
      })),
      ...(offered.length ? { tools: offered.map(describeTool) } : {}),
    };
  }
  const rendered: TemplateMessage[] = messages.map(({ role, content, tool_calls }) => {
    if (role === 'tool') return { role: 'user', content: `<tool_response>\n${content}\n</tool_response>` };
    if (role === 'assistant' && tool_calls?.length) {
      const calls = tool_calls.map((c) => toolCallText(c.name, c.arguments)).join('\n');
      return { role, content: content ? `${content}\n${calls}` : calls };
    }
    return { role, content };
  });
  if (offered.length === 0) return { messages: rendered };
  const prompt = fallbackToolPrompt(offered);
  const first = rendered[0];
  if (first && (first.role === 'system' || first.role === 'developer')) {
    return { messages: [{ ...first, content: `${first.content}\n\n${prompt}` }, ...rendered.slice(1)] };
  }
  return { messages: [{ role: 'system', content: prompt }, ...rendered] };
}
