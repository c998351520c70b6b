// Everything that crosses the worker boundary, and nothing else: types only, no logic.
// Both tsconfigs (DOM and WebWorker) compile this file, so it names no environment globals.

/** A chat message after validation: content is always flattened to text. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content: string;
  /** An assistant message's calls (OpenAI's `tool_calls`, function tools only). */
  tool_calls?: ToolCall[];
  /** A `tool` message: the call it answers. */
  tool_call_id?: string;
}

/** A JSON Schema, as a request gave it. */
export type JsonSchema = Record<string, unknown>;

/** A function the model may call (OpenAI's function tool). */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object; `{type: 'object'}` when the request gave none. */
  parameters: JsonSchema;
  /** `strict: true`: decoding is constrained so the arguments validate against `parameters`. */
  strict: boolean;
}

/** One call the model made: `arguments` is JSON text, as OpenAI sends it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** OpenAI's `tool_choice`; `{ name }` forces that one function. */
export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };

/** What the output must be: OpenAI's `response_format` beyond plain text (decoding is constrained). */
export type OutputFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict: boolean };

/** Tools offered to a chat request (worker/tool-calls/ renders them and constrains the calls). */
export interface ToolsParams {
  tools: ToolDefinition[];
  tool_choice: ToolChoice;
  parallel_tool_calls: boolean;
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

/** A chat (the model's chat template applies) or a raw text prompt (legacy /completions). */
export type GenerateRequest = GenerationParams &
  ({ messages: ChatMessage[]; tools?: ToolsParams; response_format?: OutputFormat } | { prompt: string });

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Where the backend reports it: prompt tokens whose keys and values were reused, not computed. */
  prompt_tokens_details?: { cached_tokens: number };
}

/** Stable error codes; status, type and OpenAI's wire code are derived from them (src/errors.ts). */
export type ErrorCode =
  | 'invalid_json'
  | 'missing_required_parameter'
  | 'invalid_type'
  | 'invalid_value'
  /** A 400 for which OpenAI sends `code: null`. */
  | 'invalid_request'
  | 'unsupported_parameter'
  | 'unsupported_value'
  | 'integer_below_min_value'
  | 'integer_above_max_value'
  | 'decimal_below_min_value'
  | 'decimal_above_max_value'
  | 'empty_array'
  | 'array_above_max_length'
  | 'context_length_exceeded'
  | 'unknown_url'
  | 'method_not_allowed'
  | 'model_not_found'
  /** The Responses API: an unknown `previous_response_id` (400) or response id (404). */
  | 'previous_response_not_found'
  | 'response_not_found'
  | 'rate_limit_exceeded'
  | 'model_load_failed'
  | 'worker_crashed'
  | 'device_lost'
  | 'request_timeout'
  | 'generation_failed'
  /** The service worker found no tab with an engine to answer (src/service-worker/). */
  | 'engine_unavailable';

/** A `ZStreamError` as plain data, for structured cloning. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  param: string | null;
}

/** One event of a generation stream, pulled by the main thread. */
export type StreamEvent =
  /** `tokens`: how many generated tokens this text came from (text can be held back across tokens). */
  | { type: 'delta'; text: string; tokens: number }
  | { type: 'done'; finish_reason: FinishReason; usage: Usage }
  | { type: 'error'; error: SerializedError };

/** Events in the order generated: every event ready when the main thread asked (worker/batched-stream.ts). */
export type StreamBatch = StreamEvent[];

/** How the worker hands a generation to the main thread. */
export type GenerateHandle =
  /**
   * A transferred, pull-based stream of batches: backpressure and cancel come from the platform.
   * `firstApart`: its first batch comes through WorkerListener.first (not through this stream, whose
   * first batch is then empty), so that the first token does not wait on a freshly transferred stream.
   */
  | { kind: 'stream'; stream: ReadableStream<StreamBatch>; firstApart?: boolean }
  /** Fallback where streams cannot be transferred: the main thread calls `pull`/`cancel` by id. */
  | { kind: 'pull'; id: number };

export type BackendName = 'transformers' | 'webllm';

/** transformers.js weight formats, named by the suffix of `onnx/model{suffix}.onnx`. */
export type TransformersDtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

/** One WebLLM model record. Without `model` and `modelLib` it is looked up in WebLLM's prebuilt list. */
export interface WebLLMVariant {
  /** WebLLM's `model_id`, e.g. 'SmolLM2-360M-Instruct-q4f32_1-MLC'. */
  modelId: string;
  /** Absolute URL of the weights folder (mlc-chat-config.json, tensor-cache.json, shards). */
  model?: string;
  /** Absolute URL of the compiled model library (.wasm). */
  modelLib?: string;
  /** Whether it computes in f16: then it needs the adapter's `shader-f16`. */
  f16: boolean;
}

/** What to load, as the registry (src/registry.ts) resolved it on the main thread. */
export type ModelSpec =
  | {
      backend: 'transformers';
      /** The id `engine.model` reports. */
      id: string;
      /** A hub repo id ('org/name') or a folder name under `baseURL`. */
      name: string;
      /** Absolute URL, ending in '/', of the folder that holds `name`. */
      baseURL: string;
      /** Whether files missing under `baseURL` may come from the model hub. */
      allowRemote: boolean;
      /** Weight format per device; transformers.js picks when absent. */
      dtype: { webgpu?: TransformersDtype; wasm?: TransformersDtype };
      /** False for a bare id outside the registry: when its folder is missing, the error lists the registry. */
      registered: boolean;
    }
  | {
      backend: 'webllm';
      id: string;
      /** Preferred first: an f16 record is skipped when the adapter lacks `shader-f16`. */
      variants: WebLLMVariant[];
      contextLength: number;
    };

export interface LoadOptions {
  model: ModelSpec;
  device: DevicePreference;
  /** Absolute URLs of ONNX Runtime's wasm files, served with the app. */
  wasmPaths: { wasm: string; mjs: string };
  /** Model files an app's bundler serves under new names: URL in the model folder → URL served (src/assets.ts). */
  assetURLs?: Record<string, string>;
  /** Memory for the KV caches kept between requests (transformers.js; worker/transformers/prefix-cache.ts). 0 turns it off. */
  prefixCacheBytes?: number;
  /** false: no prefill of a chat's next turn while idle (worker/transformers/next-turn.ts). */
  warmNextTurn?: boolean;
  /** How requests share the model (worker/scheduler.ts, docs/scheduling.md); the worker's defaults where absent. */
  scheduling?: SchedulingOptions;
}

/** FlowOptions.maxRunning and FlowOptions.preemptIdleMs, as the worker's scheduler takes them. */
export interface SchedulingOptions {
  /** Requests holding a KV cache at once, interleaving their decode steps (capped by the backend). */
  maxRunning?: number;
  /** A running request whose reader asked for nothing this long while others wait is ended (ms). */
  preemptIdleMs?: number;
}

export interface ModelInfo {
  id: string;
  /** 'pass-through': requests go to an OpenAI-compatible server (src/pass-through.ts). */
  backend: BackendName | 'pass-through';
  device: Device | 'remote';
  /** The weights that run: a transformers.js dtype, or WebLLM's model_id. */
  weights: string;
  /** Prompt plus completion tokens, at most. */
  contextLength: number;
  /** Why the preferred device or weights were not used, when it fell back. */
  fallbackReason?: string;
  /** With createEngine({ shared: true }): whether the model runs in a SharedWorker every tab shares. */
  shared?: boolean;
  /** Why a dedicated worker runs it instead, when `shared` is false (src/engine/shared-worker.ts). */
  sharedFallbackReason?: string;
}

export type LoadPhase = 'download' | 'compile' | 'warmup' | 'ready';

export interface LoadProgress {
  phase: LoadPhase;
  /** The file being downloaded (download phase), or what is being compiled (compile phase). */
  file?: string;
  /** Bytes in the download phase; in the compile phase, shader modules where the backend counts them (WebLLM). */
  loaded: number;
  /** 0 where unknown. */
  total: number;
}

export interface GenerateOptions {
  /** The request's id, chosen by the main thread; lifecycle notifications name it. */
  id: number;
  /** Use a transferred ReadableStream (true) or the pull-by-id fallback (false). */
  transfer: boolean;
  /**
   * How many events generation may run ahead of the reader (FlowOptions.runAhead). The contract
   * between the worker's stream of batches (worker/batched-stream.ts) and the request job that reads
   * it on the main thread (src/engine/request-job.ts), counted in events, not batches; "asked for"
   * is every event the job's reader has taken:
   * - Main thread: every stream between the transfer and the reader has highWaterMark 0, and the job
   *   reads the next batch only once it has handed out every event of the previous one and its reader
   *   waits. So each read of the transfer means the reader asked for the first event of that batch;
   *   the rest of it may still be unread.
   * - Transfer: holds at most one batch not yet asked for (a transferred stream's writable side has
   *   highWaterMark 1); the worker's stream has highWaterMark 0, so its `pull` runs once the previous
   *   batch has been asked for.
   * - Worker: at each `pull` it counts the batch before the one in transfer as unread on the main
   *   thread except its first event, and decodes only while
   *   `unread on main + in transfer + ready in the worker < runAhead`.
   * - The first batch sent apart (GenerateHandle.firstApart) is handed out before the job reads the
   *   stream; the stream's first `pull` runs at the transfer and answers an empty batch at once, so
   *   the worker counts all of the first batch as unread on the main thread until its second `pull`.
   * Guarantee: events generated − events asked for ≤ runAhead at every moment, so a reader that stops
   * stops its own request within runAhead events, and no other (docs/scheduling.md). Tested from the
   * worker side in worker/batched-stream.test.ts, from the main-thread side in
   * src/engine/request-limits.test.ts (scripted worker), end to end in e2e/flow.spec.ts. The pull-by-id
   * fallback keeps the same bound with a highWaterMark of runAhead on the main thread.
   */
  runAhead: number;
}

/** What the worker tells the main thread unasked (a Comlink proxy, see src/worker-connection.ts). */
export interface WorkerListener {
  /** The request got the model: it is no longer queued. */
  started(id: number): void;
  /** The request let go of the model and freed its KV cache (finished, failed or cancelled). */
  released(id: number): void;
  /** The first batch of a request whose stream was handed over with `firstApart` (after `started`). */
  first(id: number, batch: StreamBatch): void;
  /** The GPU device is gone: nothing more can run in this worker. */
  deviceLost(message: string): void;
  /**
   * A decode step failed. transformers.js chains every inference on one promise, so after one
   * failure no later inference in this worker runs: the main thread replaces the worker.
   */
  backendFailed(message: string): void;
}

/** Counters of what the worker really did. */
export interface WorkerStats {
  /** Decode steps run, one per generated token (the first also prefills the prompt). */
  generatedTokens: number;
  /** KV caches allocated and not yet freed. */
  openKvCaches: number;
  /**
   * Requests holding a place in the worker's scheduler: 0 up to maxRunning, interleaving their decode
   * steps. Those waiting are counted on the main thread (src/engine/request-queue.ts).
   */
  running: number;
  /** In a SharedWorker: the tabs attached to it (worker/shared-model.ts). */
  connections?: number;
}

/** The API the worker exposes over Comlink. */
export interface WorkerApi {
  /**
   * Ties the worker's life to the lock `lockName` (released when it dies) and registers the listener.
   * `clientLockName`: a lock the caller holds while connected; a SharedWorker cancels the caller's
   * requests when it is released (the tab closed or navigated away: worker/shared-session.ts).
   */
  connect(lockName: string, listener: WorkerListener, clientLockName?: string): Promise<void>;
  load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo>;
  generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateHandle>;
  pull(id: number): Promise<StreamEvent | undefined>;
  cancel(id: number): Promise<void>;
  stats(): Promise<WorkerStats>;
}
