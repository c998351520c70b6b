// The generation parameters of a request that comes through the engine API (engine.chat, chatStream,
// generate), checked on the main thread before it is queued: the HTTP layer checks its own with
// OpenAI's errors, but a JavaScript caller can pass anything, and a value the worker cannot read
// (a `stop` that is no array) would fail inside a decode step, where it counts as the model's failure.
import { ZStreamError } from '../shared/errors.js';
import type { GenerateRequest } from '../shared/protocol.js';
import { SAMPLING_RANGES, type SamplingParam } from '../shared/sampling-ranges.js';

const invalid = (param: string, wanted: string, value: unknown) =>
  new ZStreamError('invalid_value', `${param} must be ${wanted}; got ${JSON.stringify(value) ?? String(value)}.`, { param });

/** `request`, with OpenAI's string form of `stop` as a list; a ZStreamError for a value no model could use. */
export function checkedRequest(request: GenerateRequest): GenerateRequest {
  for (const [param, { min, max }] of Object.entries(SAMPLING_RANGES)) {
    const value: unknown = request[param as SamplingParam];
    if (value !== undefined && !(typeof value === 'number' && value >= min && value <= max)) throw invalid(param, `a number from ${min} to ${max}`, value);
  }
  const { max_tokens: maxTokens, seed } = request as { max_tokens?: unknown; seed?: unknown };
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 1)) throw invalid('max_tokens', 'an integer of at least 1', maxTokens);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw invalid('seed', 'an integer', seed);
  const stop: unknown = request.stop;
  if (typeof stop === 'string') return { ...request, stop: [stop] };
  if (stop !== undefined && !(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))) throw invalid('stop', 'a string or an array of strings', stop);
  return request;
}
