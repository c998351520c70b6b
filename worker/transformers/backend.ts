// The transformers.js backend: ONNX Runtime Web on WebGPU, or WASM.
import { env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { ZStreamError } from '../../src/shared/errors.js';
import { TOOL_CALL_OPEN, parsesToolCalls } from '../../src/shared/tool-call-format.js';
import type { ChatMessage, GenerateRequest, ModelInfo, ToolsParams } from '../../src/shared/protocol.js';
import { runWarmUp, type Backend, type PreparedGeneration } from '../backend.js';
import type { IdleWork } from '../idle-work.js';
import { Sampler, type SamplingParams } from '../sampling.js';
import { grammarFor } from '../constraints/grammar-spec.js';
import { TokenMask } from '../constraints/token-mask.js';
import { tokenizerVocabulary } from '../constraints/vocabulary.js';
import type { VocabularyInfo } from '../constraints/xgrammar.js';
import { renderForTemplate, templateSupportsTools, type TemplateInput } from '../tool-calls/render.js';
import { PrefixCache } from './prefix-cache.js';
import { nextTurnStart, warmPrefix } from './next-turn.js';
import { warmUpShapes } from './shape-warm-up.js';
import { TransformersTokenStream, createDecodeContext, type DecodeContext } from './token-stream.js';

export interface ModelDefaults {
  temperature: number;
  top_p: number;
}

export class TransformersBackend implements Backend {
  private readonly ctx: DecodeContext;
  /** xgrammar's view of the tokenizer, built at the first constrained request. */
  private vocabulary: VocabularyInfo | undefined;

  constructor(
    readonly info: ModelInfo,
    private readonly model: PreTrainedModel,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly eosIds: number[],
    private readonly defaults: ModelDefaults,
    prefixCacheBytes?: number,
    /** Whether a chat's next turn is prefilled while idle (LoadOptions.warmNextTurn). */
    private readonly warmNextTurn = true,
  ) {
    const decode = (ids: number[]) => tokenizer.decode(ids, { skip_special_tokens: true });
    this.ctx = createDecodeContext(model, decode, eosIds, info.contextLength, new PrefixCache(prefixCacheBytes, () => this.gpuDevice()));
  }

  async prepare(request: GenerateRequest): Promise<PreparedGeneration> {
    const ids = 'messages' in request
      ? this.chatIds(this.rendered(request.messages, request.tools), true)
      : this.tokenizer.encode(request.prompt); // legacy /completions: the raw text, no template
    const input = 'messages' in request ? 'messages' : 'prompt';
    // The HTTP layer refuses '' (as OpenAI does); the engine's own API reaches here unchecked.
    if (ids.length === 0) throw new ZStreamError('invalid_value', `Invalid '${input}': it encodes to no tokens.`, { param: input });
    const { contextLength } = this.info;
    const wanted = request.max_tokens ?? 1;
    if (ids.length + wanted > contextLength) {
      throw new ZStreamError(
        'context_length_exceeded',
        `This model's maximum context length is ${contextLength} tokens. However, you requested ` +
          `${ids.length + wanted} tokens (${ids.length} in the ${input}, ${wanted} in the completion). ` +
          `Please reduce the length of the ${input} or completion.`,
        { param: input },
      );
    }
    const sampling: SamplingParams = {
      temperature: request.temperature ?? this.defaults.temperature,
      top_p: request.top_p ?? this.defaults.top_p,
      presence_penalty: request.presence_penalty ?? 0,
      frequency_penalty: request.frequency_penalty ?? 0,
      seed: request.seed,
    };
    return {
      promptTokens: ids.length,
      maxNewTokens: contextLength - ids.length,
      start: () => {
        // Compiles while the prompt is prefilled; the first mask waits for it.
        const grammar = grammarFor(request);
        const mask = grammar && TokenMask.compile(this.grammarVocabulary(), grammar);
        return new TransformersTokenStream(this.ctx, ids, new Sampler(sampling), mask);
      },
      // Only a chat has a next turn; none is readied without a cache to keep it in.
      ...('messages' in request && this.warmNextTurn && this.ctx.prefixCache.budgetBytes > 0
        ? { nextTurn: (answer: string) => this.nextTurn(request.messages, request.tools, answer) }
        : {}),
    };
  }

  /** Prefills, while idle, the start every next turn of this chat shares (next-turn.ts). */
  private nextTurn(messages: ChatMessage[], tools: ToolsParams | undefined, answer: string): IdleWork | undefined {
    // A tool call goes back as the call (rendered from its parsed arguments) and a tool message, not
    // this text and a user message: readying that would fill the cache with what no request sends.
    if (parsesToolCalls(tools) && answer.includes(TOOL_CALL_OPEN)) return undefined;
    return async (slot) => {
      const history: ChatMessage[] = [...messages, { role: 'assistant', content: answer }];
      const target = nextTurnStart((next) => this.chatIds(this.rendered([...history, { role: 'user', content: next }], tools), false));
      if (target) await warmPrefix(this.ctx, target, slot);
    };
  }

  private rendered(messages: ChatMessage[], tools: ToolsParams | undefined): TemplateInput {
    return renderForTemplate(messages, tools, templateSupportsTools(String(this.tokenizer.chat_template ?? '')));
  }

  private chatIds(chat: TemplateInput, addGenerationPrompt: boolean): number[] {
    return this.tokenizer.apply_chat_template(chat.messages, {
      ...(chat.tools ? { tools: chat.tools } : {}),
      add_generation_prompt: addGenerationPrompt,
      tokenize: true,
      return_tensor: false,
      return_dict: false,
    }) as number[];
  }

  private grammarVocabulary(): VocabularyInfo {
    const logitsSize = Number((this.model.config as unknown as Record<string, unknown>)['vocab_size'] ?? 0);
    return (this.vocabulary ??= tokenizerVocabulary(this.tokenizer, logitsSize, this.eosIds));
  }

  async warmUp(): Promise<void> {
    await runWarmUp(this);
    // Token 0 exists in every vocabulary; the passes look at shapes only.
    if (this.info.device === 'webgpu') await warmUpShapes(this.ctx, 0);
  }

  /** ONNX Runtime's device: one per worker, created with the first WebGPU session. */
  async gpuDevice(): Promise<GPUDevice | undefined> {
    return this.info.device === 'webgpu' ? env.backends.onnx.webgpu?.device : undefined;
  }

  async unload(): Promise<void> {
    await this.ctx.prefixCache.clear();
    await this.model.dispose();
  }
}
