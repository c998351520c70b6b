// WebLLM's errors as ZStreamErrors with a stable code. WebLLM exports almost none of its error
// classes, but every one sets `name` to its class name (web-llm src/error.ts), so that is the key.
import { ZStreamError } from '../../src/shared/errors.js';
import type { ErrorCode } from '../../src/shared/protocol.js';

const BY_NAME: Record<string, { code: ErrorCode; param?: string }> = {
  ContextWindowSizeExceededError: { code: 'context_length_exceeded', param: 'messages' },
  MessageOrderError: { code: 'invalid_value', param: 'messages' },
  SystemMessageOrderError: { code: 'invalid_value', param: 'messages' },
  ContentTypeError: { code: 'invalid_value', param: 'messages' },
  UnsupportedRoleError: { code: 'invalid_value', param: 'messages' },
  SeedTypeError: { code: 'invalid_type', param: 'seed' },
  RangeError: { code: 'invalid_value' },
  MinValueError: { code: 'invalid_value' },
  NonNegativeError: { code: 'invalid_value' },
  InvalidNumberStringError: { code: 'invalid_value' },
  DependencyError: { code: 'invalid_value' },
  DeviceLostError: { code: 'device_lost' },
  WebGPUNotAvailableError: { code: 'model_load_failed' },
  WebGPUNotFoundError: { code: 'model_load_failed' },
  ShaderF16SupportError: { code: 'model_load_failed' },
  FeatureSupportError: { code: 'model_load_failed' },
  ModelNotFoundError: { code: 'model_not_found', param: 'model' },
  MissingModelWasmError: { code: 'model_load_failed' },
  IntegrityError: { code: 'model_load_failed' },
};

/** A request-time error of WebLLM's (during prepare or decoding). */
export function fromWebLLMError(error: unknown): ZStreamError {
  if (error instanceof ZStreamError) return error;
  const name = error instanceof Error ? error.name : '';
  const kind = BY_NAME[name];
  if (!kind) return ZStreamError.from(error, 'generation_failed');
  const message = error instanceof Error ? error.message : String(error);
  return new ZStreamError(kind.code, message, { param: kind.param ?? null, cause: error });
}
