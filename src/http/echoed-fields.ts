// Fields OpenAI's endpoints accept that change nothing in a local model's output (tiers, caching
// and safety hints, metadata): checked as the spec says, so a request OpenAI refuses is refused here
// too, and echoed where OpenAI echoes them. Shared by chat completions and the Responses API.
import { ZStreamError } from '../shared/errors.js';
import type { Fields } from './request-fields.js';

/** Spec: ServiceTier (chat completions). */
export const CHAT_SERVICE_TIERS = ['auto', 'default', 'flex', 'scale', 'priority', 'fast'] as const;
/** Spec: ServiceTierResponses. */
export const RESPONSES_SERVICE_TIERS = [...CHAT_SERVICE_TIERS, 'ultrafast'] as const;
export type ServiceTier = (typeof RESPONSES_SERVICE_TIERS)[number];
export type ServedTier = Exclude<ServiceTier, 'auto' | 'fast'>;

/**
 * Spec (ServiceTier): a response shows the tier actually used; `auto` is the project's, by default
 * `default`, and `fast` shows as `priority`. Absent, OpenAI still answers `default`.
 */
export const servedTier = (tier: ServiceTier | null | undefined): ServedTier =>
  tier === null || tier === undefined || tier === 'auto' ? 'default' : tier === 'fast' ? 'priority' : tier;

/** `metadata`: at most 16 string pairs, keys up to 64 and values up to 512 characters. */
export function parseMetadata(fields: Fields): Record<string, string> {
  const metadata = fields.object('metadata');
  if (!metadata) return {};
  const keys = metadata.keys();
  if (keys.length > 16) {
    throw new ZStreamError('invalid_request', `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${keys.length} properties instead.`, { param: 'metadata' });
  }
  // Pairs, not assignments: a "__proto__" key is a key like any other (spec: Metadata).
  const pairs: Array<[string, string]> = [];
  for (const key of keys) {
    const value = metadata.string(key) ?? '';
    if (key.length > 64) throw new ZStreamError('invalid_request', `Invalid 'metadata': key too long. Expected a key with maximum length 64, but got a key with length ${key.length} instead.`, { param: 'metadata' });
    if (value.length > 512) throw new ZStreamError('invalid_request', `Invalid 'metadata.${key}': string too long. Expected a string with maximum length 512, but got a string with length ${value.length} instead.`, { param: `metadata.${key}` });
    pairs.push([key, value]);
  }
  return Object.fromEntries(pairs);
}

/** OpenAI's answer for a string over a maxLength (its code, `string_above_max_length`, is not among zStream's ErrorCodes). */
export function maxLength(fields: Fields, key: string, max: number): string | undefined {
  const value = fields.string(key);
  if (value !== undefined && value.length > max) {
    throw new ZStreamError('invalid_request', `Invalid '${key}': string too long. Expected a string with maximum length ${max}, but got a string with length ${value.length} instead.`, { param: key });
  }
  return value;
}

/** Spec: ModelResponseProperties' caching and safety fields, and ReasoningEffort / Verbosity. */
export function parseHints(fields: Fields) {
  return {
    promptCacheKey: fields.string('prompt_cache_key') ?? null,
    safetyIdentifier: maxLength(fields, 'safety_identifier', 64) ?? null,
    promptCacheRetention: fields.oneOf('prompt_cache_retention', ['in_memory', '24h'] as const) ?? null,
  };
}

export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export const VERBOSITIES = ['low', 'medium', 'high'] as const;
