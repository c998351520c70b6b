// Everything that crosses the worker boundary, and nothing else: types only, no logic.
// Both tsconfigs (DOM and WebWorker) compile this file, so it names no environment globals.

/** A chat message after validation: content is always flattened to text. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

export type Device = 'webgpu' | 'wasm';
export type DevicePreference = Device | 'auto';
export type FinishReason = 'stop' | 'length';

/** Sampling and stopping controls, in OpenAI's names. */
export interface GenerationParams {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface GenerateRequest extends GenerationParams {
  messages: ChatMessage[];
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Stable error codes; status, type and OpenAI's wire code are derived from them (src/errors.ts). */
export type ErrorCode =
  | 'invalid_json'
  | 'missing_required_parameter'
  | 'invalid_type'
  | 'invalid_value'
  | 'context_length_exceeded'
  | 'unknown_url'
  | 'method_not_allowed'
  | 'model_not_found'
  | 'rate_limit_exceeded'
  | 'model_load_failed'
  | 'worker_crashed'
  | 'generation_failed';

/** A `ZStreamError` as plain data, for structured cloning. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  param: string | null;
}

/** One event of a generation stream, pulled by the main thread. */
export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'done'; finish_reason: FinishReason; usage: Usage }
  | { type: 'error'; error: SerializedError };

/** How the worker hands a generation to the main thread. */
export type GenerateHandle =
  /** A transferred, pull-based stream: backpressure and cancel come from the platform. */
  | { kind: 'stream'; stream: ReadableStream<StreamEvent> }
  /** Fallback where streams cannot be transferred: the main thread calls `pull`/`cancel` by id. */
  | { kind: 'pull'; id: number };

export interface LoadOptions {
  /** Model id under `modelBaseURL` (the embedded model) or on the model hub. */
  model: string;
  device: DevicePreference;
  /** Where local models live, absolute URL ending in '/'. */
  modelBaseURL: string;
  /** Absolute URLs of ONNX Runtime's wasm files, served with the app. */
  wasmPaths: { wasm: string; mjs: string };
  /** Whether models may be fetched from the model hub when not found locally. */
  allowRemoteModels: boolean;
}

export interface ModelInfo {
  id: string;
  device: Device;
  contextLength: number;
  /** Why the preferred device was not used, when it fell back. */
  fallbackReason?: string;
}

export type LoadPhase = 'download' | 'compile' | 'warmup' | 'ready';

export interface LoadProgress {
  phase: LoadPhase;
  /** The file being downloaded, in the download phase. */
  file?: string;
  loaded: number;
  total: number;
}

export interface GenerateOptions {
  /** Use a transferred ReadableStream (true) or the pull-by-id fallback (false). */
  transfer: boolean;
  /** Events generated ahead of the reader at most. */
  runAhead: number;
}

/** The API the worker exposes over Comlink. */
export interface WorkerApi {
  load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo>;
  generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateHandle>;
  pull(id: number): Promise<StreamEvent | undefined>;
  cancel(id: number): Promise<void>;
}
