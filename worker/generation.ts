// The backend-independent generation loop: pulls tokens from a backend one step at a time
// and turns them into StreamEvents. Stop sequences, max_tokens and usage live here.
import { ZStreamError } from '../src/shared/errors.js';
import type { FinishReason, GenerateRequest, StreamEvent, Usage } from '../src/shared/protocol.js';
import type { Backend, PreparedGeneration, TokenCounts, TokenStream } from './backend.js';
import type { Scheduler, Ticket } from './scheduler.js';
import { StopMatcher } from './stop-matcher.js';

/** A pull-based source of one request's events. `pull()` resolves `undefined` once finished. */
export interface EventSource {
  pull(): Promise<StreamEvent | undefined>;
  /** Stops decoding (an in-flight step is awaited), frees the KV cache and the model. */
  cancel(): Promise<void>;
}

/**
 * A generation read one event per chunk, `highWaterMark` events ahead: how it is read in the same
 * thread (unit tests, the bench's one-event transport). The engine transfers batches instead
 * (worker/batched-stream.ts).
 */
export function toEventStream(source: EventSource, highWaterMark: number): ReadableStream<StreamEvent> {
  return new ReadableStream<StreamEvent>(
    {
      async pull(controller) {
        const event = await source.pull();
        if (event) controller.enqueue(event);
        else controller.close();
      },
      cancel: () => source.cancel(),
    },
    new CountQueuingStrategy({ highWaterMark }),
  );
}

/** Lifecycle notifications, for the main thread's view of the queue (src/request-queue.ts). */
export interface GenerationHooks {
  /** The request got the model. */
  onStart?(): void;
  /** A decode step ended (one generated token, or the end of sequence). */
  onStep?(): void;
  /** The request let go of the model; its KV cache is freed. Called once. */
  onRelease?(): void;
  /** The backend failed while generating (the request gets an error event as well). */
  onFailure?(error: ZStreamError): void;
}

export async function createGeneration(
  backend: Backend,
  request: GenerateRequest,
  scheduler: Scheduler,
  hooks: GenerationHooks = {},
): Promise<EventSource> {
  // The place in the queue is taken before the (asynchronous) tokenization, so requests start in
  // the order they arrived.
  const ticket: Ticket = scheduler.reserve();
  let prepared: PreparedGeneration;
  try {
    prepared = await backend.prepare(request);
  } catch (error) {
    ticket.release();
    throw error;
  }
  const maxTokens = Math.min(request.max_tokens ?? Infinity, prepared.maxNewTokens);
  const stop = new StopMatcher(request.stop ?? []);
  const pending: StreamEvent[] = [];
  let tokens: TokenStream | undefined;
  let completionTokens = 0;
  /** Tokens whose text is not yet in a delta (held back by the stop matcher, or half a character). */
  let unsentTokens = 0;
  let finished = false;

  let finishing: Promise<TokenCounts | undefined> | undefined;
  /**
   * Idempotent; sets `finished` at once, then waits for an in-flight step before freeing the cache.
   * Resolves with the backend's own token counts where it keeps them (WebLLM).
   */
  const finish = (): Promise<TokenCounts | undefined> =>
    (finishing ??= (async () => {
      finished = true;
      try {
        return await tokens?.close();
      } finally {
        ticket.release();
        if (tokens) hooks.onRelease?.();
      }
    })());

  const end = async (reason: FinishReason): Promise<void> => {
    // Held-back text that never became a stop sequence belongs to the answer.
    const rest = stop.flush();
    if (rest) pending.push({ type: 'delta', text: rest, tokens: unsentTokens });
    const counted = await finish();
    const promptTokens = counted?.promptTokens ?? prepared.promptTokens;
    const completion = counted?.completionTokens ?? completionTokens;
    const cached = tokens?.cachedTokens;
    const usage: Usage = {
      prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion,
      ...(cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: cached } }),
    };
    pending.push({ type: 'done', finish_reason: reason, usage });
  };

  /** Runs decode steps until there is an event to hand out. */
  const step = async (): Promise<void> => {
    if (!tokens) {
      await ticket.ready;
      if (finished) return;
      tokens = prepared.start();
      hooks.onStart?.();
    }
    while (pending.length === 0 && !finished) {
      if (completionTokens >= maxTokens) return end('length');
      const next = await tokens.next();
      hooks.onStep?.();
      if (finished) return; // cancelled while the device was busy
      if (next.kind === 'end') return end(next.reason);
      completionTokens++;
      unsentTokens++;
      const out = stop.push(next.text);
      if (out.text) {
        pending.push({ type: 'delta', text: out.text, tokens: unsentTokens });
        unsentTokens = 0;
      }
      if (out.stopped) return end('stop');
    }
  };

  return {
    async pull() {
      if (pending.length === 0 && !finished) {
        try {
          await step();
        } catch (error) {
          // Cancelled while waiting for the model: the queue's rejection is no error of the request.
          if (finished && !tokens) return undefined;
          const failure = ZStreamError.from(error);
          pending.push({ type: 'error', error: failure.serialize() });
          hooks.onFailure?.(failure);
          // The step's failure is already this request's error event, and onFailure replaces the
          // worker: a close that fails too adds nothing.
          await finish().catch(() => {});
        }
      }
      return pending.shift();
    },
    async cancel() {
      pending.length = 0;
      await finish();
    },
  };
}
