// WebLLM's real MLCEngine with a scripted model, for unit tests: no model library or weights can
// run here, so the forward passes (prefill, decode) are a script of tokens, while everything above
// them is WebLLM's own code from the installed package: request checks
// (postInitAndCheckFieldsChatCompletion), MLCEngine.asyncGenerate with its lock, seed and interrupt
// handling, streamCurrentGeneration and the chunk makers (ids, created, role, finish reason,
// usage with extras, half characters held back). The pipeline mirrors LLMChatPipeline's state
// machine (web-llm llm_chat.ts processNextToken / triggerStop) over UTF-8 bytes.
import {
  MLCEngine, ModelType, postInitAndCheckFieldsChatCompletion, postInitAndCheckFieldsCompletion,
  type ChatCompletionRequestStreaming, type CompletionCreateParamsStreaming, type GenerationConfig,
} from '@mlc-ai/web-llm';
import type { WebLLMEngine } from '../worker/webllm/backend.js';

export const WEBLLM_MODEL = 'Scripted-0.1B-q4f32_1-MLC';

/** One token's UTF-8 bytes. Splitting a character over two tokens makes WebLLM hold half of it back. */
export const utf8Tokens = (...texts: string[]): Uint8Array[] => texts.map((t) => new TextEncoder().encode(t));

export class ScriptedPipeline {
  /** What happened, in order: 'reset', 'prefill', 'decode'. */
  readonly log: string[] = [];
  private bytes: number[] = [];
  private next = 0;
  private completion = 0;
  private stopTriggered = false;
  private finishReason: 'stop' | 'length' | 'abort' = 'stop';

  constructor(
    private readonly tokens: Uint8Array[],
    /** What prefill counts for every request: the whole prompt, as after a reset. */
    private readonly promptTokens: number,
  ) {}

  get decodes(): number {
    return this.log.filter((e) => e === 'decode').length;
  }

  resetChat(): void {
    this.log.push('reset');
  }

  /** LLMChatPipeline.prefillStep: the prompt's forward pass samples the first token. */
  prefill(genConfig: GenerationConfig): void {
    this.log.push('prefill');
    this.bytes = [];
    this.next = 0;
    this.completion = 0;
    this.stopTriggered = false;
    this.finishReason = 'stop';
    this.sample(genConfig);
  }

  decodeStep(genConfig: GenerationConfig): void {
    this.log.push('decode');
    this.sample(genConfig);
  }

  /** processNextToken: the end of the script is the stop token (counted, not shown), then max_tokens. */
  private sample(genConfig: GenerationConfig): void {
    const token = this.tokens[this.next++];
    this.completion++;
    if (!token) {
      this.stopTriggered = true;
      this.finishReason = 'stop';
      return;
    }
    this.bytes.push(...token);
    if (genConfig.max_tokens && this.completion >= genConfig.max_tokens) {
      this.stopTriggered = true;
      this.finishReason = 'length';
    }
  }

  stopped = () => this.stopTriggered;
  triggerStop(): void {
    if (this.stopTriggered) return;
    this.stopTriggered = true;
    this.finishReason = 'abort';
  }
  /** The decoded text so far: a character cut in half decodes to U+FFFD, as with WebLLM's tokenizer. */
  getMessage = () => new TextDecoder().decode(new Uint8Array(this.bytes));
  getFinishReason = () => this.finishReason;
  getTokenLogprobArray = () => [];
  setSeed(): void {}
  getCurRoundCompletionTotalTokens = () => this.completion;
  getCurRoundDecodingTotalTokens = () => this.decodes;
  getCurRoundPrefillTotalTokens = () => this.promptTokens;
  getCurRoundPrefillTotalTime = () => 0.01;
  getCurRoundDecodingTotalTime = () => 0.002 * this.decodes;
  getCurRoundPrefillTokensPerSec = () => this.promptTokens / 0.01;
  getCurRoundDecodingTokensPerSec = () => 500;
}

/** MLCEngine's per-model lock (CustomLock): one generation at a time. */
class Lock {
  private tail = Promise.resolve();
  private release_: (() => void) | undefined;
  async acquire(): Promise<void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    await previous;
    this.release_ = release;
  }
  async release(): Promise<void> {
    this.release_?.();
  }
}

/** MLCEngine's private members this harness sets: the model's lock, and the forward pass of prefill. */
interface Internals {
  loadedModelIdToLock: Map<string, Lock>;
  prefill(request: unknown, pipeline: ScriptedPipeline, chatConfig: unknown, genConfig: GenerationConfig): Promise<void>;
  asyncGenerate(...args: unknown[]): AsyncGenerator<never>;
}

const genConfigOf = (r: ChatCompletionRequestStreaming | CompletionCreateParamsStreaming): GenerationConfig => ({
  max_tokens: r.max_tokens ?? null, temperature: r.temperature ?? null, top_p: r.top_p ?? null,
  presence_penalty: r.presence_penalty ?? null, frequency_penalty: r.frequency_penalty ?? null,
});

/** The real MLCEngine, its chat/completion entry points as MLCEngine.chatCompletion runs them once a model is loaded. */
export function scriptedWebLLM(pipeline: ScriptedPipeline): WebLLMEngine & { real: MLCEngine } {
  const real = new MLCEngine({ logLevel: 'ERROR' });
  const internals = real as unknown as Internals;
  internals.loadedModelIdToLock.set(WEBLLM_MODEL, new Lock());
  internals.prefill = async (_request, scripted, _chatConfig, genConfig) => scripted.prefill(genConfig);
  const generate = (request: object) =>
    internals.asyncGenerate(request, WEBLLM_MODEL, pipeline, {}, genConfigOf(request as ChatCompletionRequestStreaming), Date.now());
  return {
    real,
    async chatCompletion(request) {
      postInitAndCheckFieldsChatCompletion(request, WEBLLM_MODEL, ModelType.LLM);
      return generate(request);
    },
    async completion(request) {
      postInitAndCheckFieldsCompletion(request, WEBLLM_MODEL);
      return generate(request);
    },
    async resetChat() {
      pipeline.resetChat();
      await real.resetChat(); // no model is registered with the real engine: WebLLM treats this as a no-op
    },
    interruptGenerate: () => real.interruptGenerate(),
    unload: () => real.unload(),
  };
}
