// zstream: an OpenAI-compatible chat endpoint inside the browser tab.

// Engine
export { createEngine } from './engine.js';
export type { ChatResult, Engine, EngineOptions, RequestOptions } from './engine.js';
export { EMBEDDED_MODEL } from './assets.js';

// Fetch shim
export { createFetch, installFetch } from './fetch.js';
export type { FetchOptions } from './fetch.js';

// Errors
export { ZStreamError } from './errors.js';
export type { OpenAIErrorBody } from './errors.js';

// Types
export type { ChatCompletion, ChatCompletionChunk, Model } from './openai-types.js';
export type {
  ChatMessage, Device, DevicePreference, ErrorCode, FinishReason, GenerationParams, LoadPhase, LoadProgress, ModelInfo, Usage,
} from './protocol.js';
