// The Responses API wire shapes the shim emits: a subset of openapi.json's `Response`,
// `ResponseStreamEvent`, `ResponseItemList` and `ItemResource` (types only).

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: [];
  logprobs: [];
}

export interface InputTextPart {
  type: 'input_text';
  text: string;
}

/** The assistant's message, in `output` and among input items. */
export interface OutputMessageItem {
  id: string;
  type: 'message';
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: OutputTextPart[];
}

/** A user, system or developer message among a response's input items. */
export interface InputMessageItem {
  id: string;
  type: 'message';
  role: 'user' | 'system' | 'developer';
  status: 'completed';
  content: InputTextPart[];
}

/** A call the model made (`FunctionToolCall`): `call_id` is what the function's output answers. */
export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  call_id: string;
  name: string;
  /** JSON text, streamed in `response.function_call_arguments.delta` events. */
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

/** A function's result among a response's input items (`FunctionToolCallOutputResource`). */
export interface FunctionCallOutputItem {
  id: string;
  type: 'function_call_output';
  call_id: string;
  output: string;
  status: 'completed';
}

/** What a response's `output` holds. */
export type OutputItem = OutputMessageItem | FunctionCallItem;

export type ResponseItem = InputMessageItem | OutputMessageItem | FunctionCallItem | FunctionCallOutputItem;

/** `text.format` as the Response echoes it. */
export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict: boolean };

/** A function tool as the Response echoes it (`FunctionTool`). */
export interface FunctionTool {
  type: 'function';
  name: string;
  description: string | null;
  parameters: Record<string, unknown>;
  strict: boolean;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** `Response`. No `output_text` on the wire: the SDKs add it (openai-node's `addOutputText`). */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  /** OpenAI's `ResponseError`: only `server_error` can happen here. */
  error: { code: 'server_error'; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: null; summary: null };
  store: boolean;
  temperature: number;
  text: { format: TextFormat; verbosity: 'low' | 'medium' | 'high' };
  tool_choice: 'auto' | 'none' | 'required' | { type: 'function'; name: string };
  tools: FunctionTool[];
  top_p: number;
  truncation: 'auto' | 'disabled';
  /** Absent until the response ends (the spec's `usage` is not nullable). */
  usage?: ResponseUsage;
  /** Absent when the request had none (the spec's `user` is not nullable). */
  user?: string;
  metadata: Record<string, string>;
  background: false;
  /** The tier that served the request (spec: ServiceTierResponses): the request's, `auto` resolved. */
  service_tier: 'default' | 'flex' | 'scale' | 'priority' | 'ultrafast';
  prompt_cache_key: string | null;
  safety_identifier: string | null;
  prompt_cache_retention: 'in_memory' | '24h' | null;
}

interface ItemEventFields {
  item_id: string;
  output_index: number;
  content_index: number;
}

/** `ResponseStreamEvent`, the kinds a text or function-call response sends. */
export type ResponseStreamEvent = { sequence_number: number } & (
  | { type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed'; response: ResponseObject }
  | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: OutputItem }
  | ({ type: 'response.content_part.added' | 'response.content_part.done'; part: OutputTextPart } & ItemEventFields)
  | ({ type: 'response.output_text.delta'; delta: string; logprobs: [] } & ItemEventFields)
  | ({ type: 'response.output_text.done'; text: string; logprobs: [] } & ItemEventFields)
  | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; item_id: string; output_index: number; name: string; arguments: string }
  | { type: 'error'; code: string | null; message: string; param: string | null }
);

export interface ResponseItemList {
  object: 'list';
  data: ResponseItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface ResponseDeleted {
  id: string;
  object: 'response';
  deleted: true;
}
