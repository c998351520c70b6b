// zstream: an OpenAI-compatible chat endpoint inside the browser tab.

// Engine
export { createEngine } from './engine/engine.js';
export type { EngineOptions } from './engine/engine.js';
export type { ChatResult, Engine, EngineStats, RequestLimits, RequestOptions } from './engine/types.js';
export type { FlowOptions } from './engine/flow-settings.js';
export { EMBEDDED_MODEL } from './models/assets.js';

// Models: the registry, and pass-through to an OpenAI-compatible server
export { builtInModels } from './models/registry.js';
export type { ModelDefinition, RegistryEntry, TransformersModelDefinition, WebLLMModelDefinition } from './models/registry.js';
export type { PassThroughOptions } from './engine/remote-engine.js';

// Fetch shim
export { createFetch, installFetch } from './http/fetch.js';
export type { FetchOptions } from './http/fetch.js';

// Service worker: the engine answers every page of the origin (XMLHttpRequest, axios, iframes)
export { installServiceWorker } from './service-worker/install.js';
export type { ServiceWorkerOptions } from './service-worker/install.js';

// Errors
export { ZStreamError } from './shared/errors.js';
export type { OpenAIErrorBody } from './shared/errors.js';

// Types
export type { ChatCompletion, ChatCompletionChunk, Completion, Model, ModelList } from './http/openai-types.js';
export type { ResponseDeleted, ResponseItemList, ResponseObject, ResponseStreamEvent, ResponseUsage } from './http/responses-wire.js';
export { RESPONSE_STORE_LIMIT } from './http/response-store.js';
export type {
  BackendName, ChatMessage, Device, DevicePreference, ErrorCode, FinishReason, GenerationParams, LoadPhase, LoadProgress, ModelInfo,
  TransformersDtype, Usage,
} from './shared/protocol.js';
// Tools and structured outputs (docs/structured-outputs.md)
export type { JsonSchema, OutputFormat, ToolCall, ToolChoice, ToolDefinition, ToolsParams } from './shared/protocol.js';
