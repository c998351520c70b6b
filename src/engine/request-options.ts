// The one split of a request's options, shared by every engine (local and remote): OpenAI's
// generation parameters go to the model (or, for a remote engine, into the upstream request body);
// zstream's own options (the signal, `stallTimeoutMs`, `idleTimeoutMs`) stay here and are never sent anywhere.
import type { GenerationParams } from '../shared/protocol.js';
import type { RequestLimits, RequestOptions } from './types.js';

/** Every key of GenerationParams, checked both ways by the compiler: a new parameter must be added here. */
const GENERATION_KEYS = [
  'max_tokens', 'temperature', 'top_p', 'seed', 'stop', 'presence_penalty', 'frequency_penalty',
] as const satisfies ReadonlyArray<keyof GenerationParams>;
type Listed = (typeof GENERATION_KEYS)[number];
const everyKeyListed: Record<Exclude<keyof GenerationParams, Listed>, never> = {};
void everyKeyListed;

/** Only the generation parameters of `source`, whatever else it carries. */
export function generationParams(source: GenerationParams): GenerationParams {
  const params: GenerationParams = {};
  const copy = <K extends Listed>(key: K) => {
    if (source[key] !== undefined) params[key] = source[key];
  };
  GENERATION_KEYS.forEach(copy);
  return params;
}

export interface SplitOptions {
  params: GenerationParams;
  signal: AbortSignal | undefined;
  limits: RequestLimits;
}

/** `engine.chat` / `chatStream` options, split into what the model gets and what zstream keeps. */
export function splitRequestOptions(options: RequestOptions = {}): SplitOptions {
  return { params: generationParams(options), signal: options.signal, limits: { stallTimeoutMs: options.stallTimeoutMs, idleTimeoutMs: options.idleTimeoutMs } };
}
