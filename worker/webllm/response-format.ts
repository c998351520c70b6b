// OpenAI's response_format and tools onto WebLLM's own grammar support (web-llm 0.2.86
// `ResponseFormat`: json_object with an optional `schema` string, `grammar` (EBNF) and
// `structural_tag`, all compiled by the same xgrammar this worker uses for transformers.js).
// WebLLM's own `tools` work only for a hard-coded list of Hermes models, so tools are rendered
// into the prompt here (worker/tool-calls/render.ts) and the calls constrained by structural tag.
import type { ResponseFormat } from '@mlc-ai/web-llm';
import type { GenerateRequest } from '../../src/shared/protocol.js';
import { grammarFor } from '../constraints/grammar-spec.js';
import { renderForTemplate, type TemplateMessage } from '../tool-calls/render.js';

export function webllmResponseFormat(request: GenerateRequest): ResponseFormat | undefined {
  const grammar = grammarFor(request);
  if (!grammar) return undefined;
  switch (grammar.kind) {
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return { type: 'json_object', schema: JSON.stringify(grammar.schema) };
    case 'structural_tag':
      return { type: 'structural_tag', structural_tag: { type: 'structural_tag', format: grammar.format } };
  }
}

/** The chat as WebLLM's template should see it: tools in the system prompt, calls and results as text. */
export function webllmMessages(request: Extract<GenerateRequest, { messages: unknown }>): TemplateMessage[] {
  return renderForTemplate(request.messages, request.tools, false).messages;
}
