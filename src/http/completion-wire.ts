// What /chat/completions and /completions responses share: ids, timestamps, the end of a stream
// (usage in zstream's or OpenAI's form, then [DONE]) and mid-stream errors.
import { ZStreamError } from '../shared/errors.js';
import { servedTier, type ServedTier, type ServiceTier } from './echoed-fields.js';
import type { SerializedError, Usage } from '../shared/protocol.js';
import { SSE_DONE, sseData, sseEvent } from './sse.js';

// OpenAI sends one; clients only compare it across responses.
export const SYSTEM_FINGERPRINT = 'fp_zstream';

export interface ResponseMeta {
  id: string;
  /** Unix seconds, the same on every chunk. */
  created: number;
  /** The model that really runs, whatever name the request used. */
  model: string;
  /** Shown when the request set `service_tier` (chat only; spec: ServiceTier). */
  serviceTier?: ServedTier;
}

/** `prefix` is OpenAI's: 'chatcmpl-' or 'cmpl-'. */
export const responseMeta = (prefix: string, model: string, serviceTier?: ServiceTier): ResponseMeta => ({
  id: `${prefix}${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`,
  created: Math.floor(Date.now() / 1000),
  model,
  ...(serviceTier ? { serviceTier: servedTier(serviceTier) } : {}),
});

/** A body's or chunk's first fields, in OpenAI's order (FACTS.md: `id`, `object`, `created`, `model`). */
export const header = <O extends string>(meta: ResponseMeta, object: O) =>
  ({ id: meta.id, object, created: meta.created, model: meta.model, ...(meta.serviceTier ? { service_tier: meta.serviceTier } : {}) });

export const jsonResponse = (body: unknown): Response =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

/** A failure after the stream started: OpenAI's `event: error`; the SDK raises it as APIError. */
export const errorFrame = (error: SerializedError): Uint8Array => sseEvent('error', ZStreamError.deserialize(error).toJSON());

/**
 * The frames after the last choice's finish chunk: with `include_usage`, OpenAI's extra chunk
 * with `choices: []` and the usage; then `[DONE]`. Without it, the usage rode on the finish chunk.
 */
export function streamEnd(usage: Usage | undefined, includeUsage: boolean, usageChunk: (usage: Usage) => object): Uint8Array[] {
  if (!usage) return [];
  return includeUsage ? [sseData(usageChunk(usage)), SSE_DONE] : [SSE_DONE];
}
