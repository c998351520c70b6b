// POST /completions, OpenAI's legacy text completion: a raw prompt (no chat template), answered
// with `text_completion` objects, streamed or not. Spec: CreateCompletionRequest/Response.
import { collectChoices, generateChoices, type ChoiceEvent } from './choices.js';
import {
  SYSTEM_FINGERPRINT, errorFrame, header, jsonResponse, responseMeta, streamEnd, type ResponseMeta,
} from './completion-wire.js';
import { ZStreamError } from '../shared/errors.js';
import { servedModel, type ServeContext } from './models.js';
import type { Completion } from './openai-types.js';
import type { FinishReason, Usage } from '../shared/protocol.js';
import { MAX_CHOICES, parseCommon, type CommonParams } from './request.js';
import {
  Fields, emptyArray, invalidType, missing, readJsonBody, unsupportedParameter, unsupportedValue, type Json,
} from './request-fields.js';
import { sseData, sseResponse } from './sse.js';

/** OpenAI's default for this endpoint (CreateCompletionRequest.max_tokens). */
const DEFAULT_MAX_TOKENS = 16;

export interface CompletionParams extends CommonParams {
  /** Each prompt gets `n` choices. */
  prompts: string[];
  /** Whether each choice's text starts with its prompt. */
  echo: boolean;
}

function parsePrompts(value: unknown): string[] {
  if (value === undefined) throw missing('prompt');
  const prompts = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(prompts)) throw invalidType('prompt', 'one of a string, array of strings, array of integers or array of arrays of integers', value);
  if (prompts.length === 0) {
    throw emptyArray('prompt');
  }
  // Token-id prompts name ids of OpenAI's tokenizer; this model's ids differ.
  if (prompts.every((p) => typeof p === 'number' || Array.isArray(p))) throw unsupportedValue('prompt', 'token ids');
  return prompts.map((prompt: unknown, i) => {
    if (typeof prompt !== 'string') throw invalidType(`prompt[${i}]`, 'a string', prompt);
    // OpenAI reads an empty prompt as its own <|endoftext|> token, which this model does not have.
    if (prompt === '') throw new ZStreamError('invalid_value', `Invalid 'prompt': empty string. Expected a string with minimum length 1.`, { param: 'prompt' });
    return prompt;
  });
}

export function parseCompletion(body: Json): CompletionParams {
  const fields = new Fields(body);
  const common = parseCommon(fields, fields.integer('max_tokens', { min: 0 }) ?? DEFAULT_MAX_TOKENS);
  const prompts = parsePrompts(fields.raw('prompt'));
  if (fields.string('suffix')) throw unsupportedParameter('suffix');
  if ((fields.integer('best_of', { min: 0, max: 20 }) ?? 1) > 1) throw unsupportedParameter('best_of');
  if (fields.integer('logprobs', { min: 0, max: 5 }) !== undefined) throw unsupportedParameter('logprobs');
  checkChoiceCount(prompts.length, common.n);
  return { ...common, prompts, echo: fields.boolean('echo') ?? false };
}

/** Each prompt gets `n` choices; all of them together are bounded (MAX_CHOICES), in OpenAI's error shape. */
function checkChoiceCount(prompts: number, n: number): void {
  const total = prompts * n;
  if (total <= MAX_CHOICES) return;
  const param = n > 1 ? 'n' : 'prompt';
  throw new ZStreamError(
    'invalid_value',
    `Invalid '${param}': ${prompts} prompts × n = ${n} asks for ${total} choices; at most ${MAX_CHOICES} choices per request are supported.`,
    { param },
  );
}

export async function completions(context: ServeContext, request: Request): Promise<Response> {
  const params = parseCompletion(await readJsonBody(request));
  const model = servedModel(context, params.model);
  const prompts = params.prompts.map((prompt) => ({ ...params.params, prompt }));
  const events = await generateChoices(context.engine, { prompts, n: params.n, chunking: params.streamOptions.chunking }, request.signal);
  const meta = responseMeta('cmpl-', model);
  const echoed = (index: number) => (params.echo ? params.prompts[Math.floor(index / params.n)]! : '');
  if (params.stream) return sseResponse(events, chunkFrames(meta, params.streamOptions.includeUsage, echoed), context.keepAliveMs);
  const { choices, usage } = await collectChoices(events);
  const body: Completion = {
    ...completion(meta, []),
    choices: choices.map(({ text, finish_reason }, index) => ({ index, text: echoed(index) + text, logprobs: null, finish_reason })),
    usage,
  };
  return jsonResponse(body);
}

const completion = (meta: ResponseMeta, choices: Completion['choices'], usage?: Usage): Completion => ({
  ...header(meta, 'text_completion'),
  system_fingerprint: SYSTEM_FINGERPRINT,
  choices,
  ...(usage ? { usage } : {}),
});

/**
 * Every chunk is a whole `text_completion` with `finish_reason: null`; each choice ends with an
 * empty text and its finish reason. Usage as in chat: on the final chunk, or with `include_usage`
 * in one more chunk with `choices: []` (the spec's `usage` is not nullable, so other chunks omit it).
 */
function chunkFrames(meta: ResponseMeta, includeUsage: boolean, echoed: (index: number) => string) {
  const chunk = (index: number, text: string, finish_reason: FinishReason | null = null, usage?: Usage) =>
    sseData(completion(meta, [{ index, text, logprobs: null, finish_reason }], usage));
  return (event: ChoiceEvent): Uint8Array[] => {
    switch (event.type) {
      case 'start': {
        const prefix = echoed(event.index);
        return prefix ? [chunk(event.index, prefix)] : [];
      }
      case 'delta':
        return [chunk(event.index, event.text)];
      case 'finish':
        return [
          chunk(event.index, '', event.finish_reason, includeUsage ? undefined : event.usage),
          ...streamEnd(event.usage, includeUsage, (usage) => completion(meta, [], usage)),
        ];
      case 'error':
        return [errorFrame(event.error)];
    }
  };
}
