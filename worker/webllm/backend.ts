// The WebLLM backend: MLCEngine runs inside our worker (not behind WebLLM's own worker protocol,
// which turns errors into strings and costs a postMessage per chunk). Requests go through its
// OpenAI-style streaming API; the chunks become backend steps (chunks.ts).
import type {
  ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionRequestStreaming, Completion, CompletionCreateParamsStreaming,
} from '@mlc-ai/web-llm';
import type { ChatMessage, GenerateRequest, ModelInfo } from '../../src/shared/protocol.js';
import { runWarmUp, type Backend, type PreparedGeneration } from '../backend.js';
import type { WebLLMChunk } from './chunks.js';
import { fromWebLLMError } from './errors.js';
import { webllmMessages, webllmResponseFormat } from './response-format.js';
import { WebLLMTokenStream, type WebLLMGenerationControl } from './token-stream.js';

/** The part of MLCEngine the backend uses. */
export interface WebLLMEngine extends WebLLMGenerationControl {
  chatCompletion(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
  completion(request: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
  unload(): Promise<void>;
}

function toWebLLM({ role, content }: Pick<ChatMessage, 'content'> & { role: string }): ChatCompletionMessageParam {
  if (role === 'user') return { role, content };
  if (role === 'assistant') return { role, content };
  // WebLLM has no 'developer' role; OpenAI treats it as the system prompt of newer models.
  return { role: 'system', content };
}

export class WebLLMBackend implements Backend {
  /** MLCEngine keeps one conversation (one KV cache) per model. */
  readonly maxConcurrent = 1;

  constructor(
    readonly info: ModelInfo,
    private readonly engine: WebLLMEngine,
  ) {}

  async prepare(request: GenerateRequest): Promise<PreparedGeneration> {
    // Stop sequences stay with the generation loop (the same for every backend); the rest is WebLLM's.
    const { stop: _stop, ...params } = request;
    const own = ['messages', 'prompt', 'tools', 'response_format'];
    const sampling = Object.fromEntries(Object.entries(params).filter(([key]) => !own.includes(key)));
    const responseFormat = webllmResponseFormat(request);
    const common = { ...sampling, ...(responseFormat ? { response_format: responseFormat } : {}), stream: true as const, stream_options: { include_usage: true } };
    let chunks: AsyncIterable<WebLLMChunk>;
    try {
      // WebLLM checks the request here (message order, ranges), before anything is decoded.
      chunks = 'messages' in request
        ? await this.engine.chatCompletion({ ...common, messages: webllmMessages(request).map(toWebLLM) })
        : await this.engine.completion({ ...common, prompt: request.prompt });
    } catch (error) {
      throw fromWebLLMError(error);
    }
    return {
      promptTokens: 0, // WebLLM counts the prompt while prefilling: the stream reports it on close
      maxNewTokens: this.info.contextLength,
      start: () => new WebLLMTokenStream(this.engine, chunks[Symbol.asyncIterator]()),
    };
  }

  warmUp(): Promise<void> {
    return runWarmUp(this);
  }

  async unload(): Promise<void> {
    await this.engine.unload();
  }
}
