// A 10-turn chat through the openai SDK, each turn resending the whole conversation as OpenAI's
// stateless API does: TTFT per turn, with the prefix cache (the engine's default) and without it
// (prefixCacheBytes: 0), and with the cache and a pause between turns, as a person reading the answer
// leaves one: the engine readies the next turn meanwhile (warmNextTurn). Each turn's answer is the model's own, so the conversation is the same in
// both modes; the runner checks that.
import OpenAI from 'openai';
import { createEngine, createFetch } from '../../src/index.js';
import type { Device } from '../../src/shared/protocol.js';
import { MODEL_BASE, SDK_BASE } from './assets.js';

export const TURNS = 10;

/**
 * The story model whose tokenizer re-encodes the story's text to the story's tokens, as a trained
 * BPE does its model's output (scripts/canonical-tokenizer.mjs): the previous answer hits the cache.
 * undefined: the embedded model, whose story tokens never come out of its tokenizer (no merges), so
 * the resent answer is ~135 byte tokens that the cache has never seen: the worst case.
 */
export const CHAT_MODEL = 'zstream-tiny-chat';
export type ConversationModel = typeof CHAT_MODEL | undefined;

export interface TurnRecord {
  ttftMs: number;
  endMs: number;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  text: string;
}

export interface ConversationRecord {
  /** The model folder's name. */
  model: string;
  reuse: boolean;
  /** Between the end of a turn and the next request. */
  pauseMs: number;
  /** createEngine's warmNextTurn: the next turn prefilled during the pause. */
  warm: boolean;
  turns: TurnRecord[];
}

/**
 * With the embedded model's byte tokens, a question and the previous answer (its story, ~135 bytes)
 * add ~175 tokens a turn: from 68 at turn 1 to ~1,700 at turn 10 (its context is 2,048). With the
 * chat model's merges the answer is its 32 tokens: ~70 a turn, 58 at turn 1 to ~690 at turn 10.
 */
const question = (turn: number) => `Turn ${turn + 1}. And then?`;

export async function runConversation(
  device: Device, reuse: boolean, model: ConversationModel, maxTokens: number, pauseMs = 0, warm = true,
): Promise<ConversationRecord> {
  const engine = await createEngine({
    device, modelBaseURL: MODEL_BASE, ...(model ? { model } : {}), ...(reuse ? {} : { prefixCacheBytes: 0 }), ...(warm ? {} : { warmNextTurn: false }),
  });
  try {
    const sdk = new OpenAI({ baseURL: SDK_BASE, apiKey: 'x', dangerouslyAllowBrowser: true, fetch: createFetch(engine, { baseURL: SDK_BASE }) });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: 'You are a storyteller.' }];
    const turns: TurnRecord[] = [];
    for (let turn = 0; turn < TURNS; turn++) {
      messages.push({ role: 'user', content: question(turn) });
      const start = performance.now();
      let ttftMs = NaN;
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined;
      const stream = await sdk.chat.completions.create({
        model: 'local', messages, stream: true, stream_options: { include_usage: true }, max_tokens: maxTokens, temperature: 0,
      });
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta?.content;
        if (content) {
          if (!text) ttftMs = performance.now() - start;
          text += content;
        }
        if (chunk.usage) usage = chunk.usage;
      }
      turns.push({
        ttftMs, endMs: performance.now() - start, text,
        promptTokens: usage?.prompt_tokens ?? NaN,
        cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? NaN,
      });
      messages.push({ role: 'assistant', content: text });
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs)); // the person reads and types
    }
    return { model: engine.model.id, reuse, pauseMs, warm, turns };
  } finally {
    engine.dispose();
  }
}
