// zstream: an OpenAI-compatible chat endpoint inside the browser tab.

// Engine
export { createEngine } from './engine.js';
export type { ChatResult, Engine, EngineOptions, EngineStats, RequestLimits, RequestOptions } from './engine.js';
export type { FlowOptions } from './flow-settings.js';
export { EMBEDDED_MODEL } from './assets.js';

// Models: the registry, and pass-through to an OpenAI-compatible server
export { builtInModels } from './registry.js';
export type { ModelDefinition, RegistryEntry, TransformersModelDefinition, WebLLMModelDefinition } from './registry.js';
export type { PassThroughOptions } from './pass-through.js';

// Fetch shim
export { createFetch, installFetch } from './fetch.js';
export type { FetchOptions } from './fetch.js';

// Errors
export { ZStreamError } from './errors.js';
export type { OpenAIErrorBody } from './errors.js';

// Types
export type { ChatCompletion, ChatCompletionChunk, Completion, Model, ModelList } from './openai-types.js';
export type {
  BackendName, ChatMessage, Device, DevicePreference, ErrorCode, FinishReason, GenerationParams, LoadPhase, LoadProgress, ModelInfo,
  TransformersDtype, Usage,
} from './protocol.js';
