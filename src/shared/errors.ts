// The one error class. It keeps its `code` across the worker boundary (see comlink-errors.ts)
// and renders OpenAI's error body: {"error": {"message", "type", "param", "code"}}.
// Only APIs present in both window and worker scopes are used here: the worker imports it.
import type { ErrorCode, SerializedError } from './protocol.js';

interface ErrorKind {
  status: number;
  type: string;
  /** OpenAI's `code` field for this error; null where OpenAI sends null. */
  wire: string | null;
}

/** A 400 `invalid_request_error` with OpenAI's `code` field `wire`. */
const badRequest = (wire: string | null): ErrorKind => ({ status: 400, type: 'invalid_request_error', wire });

const KINDS: Record<ErrorCode, ErrorKind> = {
  invalid_json: badRequest(null),
  invalid_request: badRequest(null),
  missing_required_parameter: badRequest('missing_required_parameter'),
  invalid_type: badRequest('invalid_type'),
  invalid_value: badRequest('invalid_value'),
  unsupported_parameter: badRequest('unsupported_parameter'),
  unsupported_value: badRequest('unsupported_value'),
  integer_below_min_value: badRequest('integer_below_min_value'),
  integer_above_max_value: badRequest('integer_above_max_value'),
  decimal_below_min_value: badRequest('decimal_below_min_value'),
  decimal_above_max_value: badRequest('decimal_above_max_value'),
  empty_array: badRequest('empty_array'),
  array_above_max_length: badRequest('array_above_max_length'),
  context_length_exceeded: badRequest('context_length_exceeded'),
  unknown_url: { status: 404, type: 'invalid_request_error', wire: null },
  method_not_allowed: { status: 405, type: 'invalid_request_error', wire: null },
  model_not_found: { status: 404, type: 'invalid_request_error', wire: 'model_not_found' },
  previous_response_not_found: badRequest('previous_response_not_found'),
  response_not_found: { status: 404, type: 'invalid_request_error', wire: null },
  rate_limit_exceeded: { status: 429, type: 'requests', wire: 'rate_limit_exceeded' },
  model_load_failed: { status: 503, type: 'server_error', wire: 'model_load_failed' },
  worker_crashed: { status: 500, type: 'server_error', wire: 'worker_crashed' },
  device_lost: { status: 500, type: 'server_error', wire: 'device_lost' },
  request_timeout: { status: 504, type: 'server_error', wire: 'timeout' },
  generation_failed: { status: 500, type: 'server_error', wire: null },
  engine_unavailable: { status: 503, type: 'server_error', wire: 'engine_unavailable' },
};

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class ZStreamError extends Error {
  override readonly name = 'ZStreamError';
  readonly code: ErrorCode;
  readonly param: string | null;
  /** Seconds after which a retry may succeed: sent as `retry-after` (a full queue's 429). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { param?: string | null; cause?: unknown; retryAfter?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.param = options.param ?? null;
    this.retryAfter = options.retryAfter;
  }

  get status(): number {
    return KINDS[this.code].status;
  }

  get type(): string {
    return KINDS[this.code].type;
  }

  toJSON(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: KINDS[this.code].wire } };
  }

  /** OpenAI's error response. Server-side failures say `x-should-retry: false`: the SDK would retry them. */
  toResponse(headers: Record<string, string> = {}): Response {
    const all: Record<string, string> = { 'content-type': 'application/json', ...headers };
    if (this.status >= 500) all['x-should-retry'] = 'false';
    if (this.retryAfter !== undefined) all['retry-after'] = String(this.retryAfter);
    return new Response(JSON.stringify(this.toJSON()), { status: this.status, headers: all });
  }

  serialize(): SerializedError {
    return { code: this.code, message: this.message, param: this.param };
  }

  static deserialize(data: SerializedError): ZStreamError {
    return new ZStreamError(data.code, data.message, { param: data.param });
  }

  /** Any thrown value as a ZStreamError; unknown failures become `fallback`. */
  static from(error: unknown, fallback: ErrorCode = 'generation_failed'): ZStreamError {
    if (error instanceof ZStreamError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ZStreamError(fallback, message, { cause: error });
  }
}

/** What a stream of events that closed without its final event ends with. */
export const endedEarly = (): ZStreamError => new ZStreamError('generation_failed', 'The generation ended without a result.');

/** The GPU device ONNX Runtime or WebLLM computed on was lost (`detail`: the browser's message or reason). */
export const deviceLost = (detail: string): ZStreamError => new ZStreamError('device_lost', `The GPU device was lost: ${detail}`);

/** What an aborted signal rejects with, as a real fetch does. */
export const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

