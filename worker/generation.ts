// The backend-independent generation loop: pulls tokens from a backend one step at a time
// and turns them into StreamEvents. Stop sequences, max_tokens and usage live here; the token is
// sampled in the backends' token streams; the scheduler says when a step may run (scheduler.ts).
import { ZStreamError } from '../src/shared/errors.js';
import type { FinishReason, GenerateRequest, StreamEvent, Usage } from '../src/shared/protocol.js';
import type { Backend, PreparedGeneration, TokenCounts, TokenStream } from './backend.js';
import type { IdleWork } from './idle-work.js';
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

/** Lifecycle notifications, for the main thread's view of the queue (src/engine/request-queue.ts). */
export interface GenerationHooks {
  /** The request got a place and starts decoding (its KV cache is allocated by the first step). */
  onStart?(): void;
  /** A decode step ended (one generated token, or the end of sequence). */
  onStep?(): void;
  /** The request let go of its place; its KV cache is freed. Called once, after onStart. */
  onRelease?(): void;
  /**
   * What a failed step's error is, told better where the caller knows more (a GPU device lost under
   * the step: the worker's device watch). Both the request's error event and onFailure get its answer.
   */
  explainFailure?(error: ZStreamError): Promise<ZStreamError>;
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
  let generation: Generation | undefined;
  const ticket = scheduler.reserve(() => generation?.preempt(scheduler.preemptIdleMs ?? 0));
  // Not idle before its reader can ask: while it is tokenized it cannot be preempted.
  ticket.setIdle(false);
  try {
    generation = new Generation(request, await backend.prepare(request), ticket, hooks, (work) => scheduler.whenIdle(work));
    ticket.setIdle(true);
    return generation;
  } catch (error) {
    ticket.release();
    throw error;
  }
}

/** One request's generation: decode steps in, events out. */
class Generation implements EventSource {
  /** Events ready for the reader. */
  private readonly pending: StreamEvent[] = [];
  private readonly stop: StopMatcher;
  private readonly maxTokens: number;
  /** Created when the request gets its place and the reader first asks. */
  private tokens: TokenStream | undefined;
  private completionTokens = 0;
  /** Tokens whose text is not yet in a delta (held back by the stop matcher, or half a character). */
  private unsentTokens = 0;
  /** No more steps run: set at once when it ends, fails or is cancelled (see finish). */
  private finished = false;
  private finishing: Promise<TokenCounts | undefined> | undefined;
  /** The text its client gets, for the backend's guess at the next turn; kept only if it has one (PreparedGeneration.nextTurn). */
  private answer: string | undefined;

  constructor(
    request: GenerateRequest,
    private readonly prepared: PreparedGeneration,
    private readonly ticket: Ticket,
    private readonly hooks: GenerationHooks,
    private readonly whenIdle: (work: IdleWork) => void,
  ) {
    this.maxTokens = Math.min(request.max_tokens ?? Infinity, prepared.maxNewTokens);
    if (prepared.nextTurn) this.answer = '';
    this.stop = new StopMatcher(request.stop ?? []);
  }

  async pull(): Promise<StreamEvent | undefined> {
    if (this.pending.length === 0 && !this.finished) {
      this.ticket.setIdle(false);
      try {
        await this.runUntilEvent();
      } catch (error) {
        await this.fail(error);
      } finally {
        this.ticket.setIdle(true);
      }
    }
    return this.pending.shift();
  }

  async cancel(): Promise<void> {
    this.pending.length = 0;
    await this.finish();
  }

  /** The scheduler needs the place back from a reader that stopped reading: it gets what was ready, then an error. */
  preempt(idleMs: number): void {
    if (this.finished) return;
    const error = new ZStreamError(
      'request_timeout',
      `The reader asked for nothing for ${idleMs} ms while other requests waited for the model (preemptIdleMs), so the request was ended.`,
    );
    this.pending.push({ type: 'error', error: error.serialize() });
    void this.finish().catch(() => {}); // nothing is decoding (the reader was idle): closing frees the cache
  }

  /** Runs decode steps, one scheduler turn each, until there is an event to hand out. */
  private async runUntilEvent(): Promise<void> {
    const tokens = this.tokens ?? (await this.startDecoding());
    while (tokens && this.pending.length === 0 && !this.finished) {
      if (this.completionTokens >= this.maxTokens) return this.end('length');
      const next = await this.ticket.step(() => (this.finished ? Promise.resolve(undefined) : tokens.next()));
      if (!next) return; // cancelled while waiting for its turn: no step ran
      this.hooks.onStep?.();
      if (this.finished) return; // cancelled while the device was busy
      if (next.kind === 'end') return this.end(next.reason);
      this.completionTokens++;
      if (this.emitText(next.text)) return this.end('stop');
    }
  }

  private async startDecoding(): Promise<TokenStream | undefined> {
    try {
      await this.ticket.ready;
    } catch {
      return undefined; // cancelled while waiting for a place: not an error of the request
    }
    if (this.finished) return undefined;
    this.tokens = this.prepared.start();
    this.hooks.onStart?.();
    return this.tokens;
  }

  /**
   * The one place where generated text becomes events: one token's text (possibly '' while a
   * character is incomplete) goes through the stop matcher into a delta. True once a stop sequence matched.
   */
  private emitText(text: string): boolean {
    this.unsentTokens++;
    const out = this.stop.push(text);
    if (out.text) {
      if (this.answer !== undefined) this.answer += out.text;
      this.pending.push({ type: 'delta', text: out.text, tokens: this.unsentTokens });
      this.unsentTokens = 0;
    }
    return out.stopped;
  }

  private async end(reason: FinishReason): Promise<void> {
    // Held-back text that never became a stop sequence belongs to the answer.
    const rest = this.stop.flush();
    if (rest) this.pending.push({ type: 'delta', text: rest, tokens: this.unsentTokens });
    const counted = await this.finish();
    // Its cache is back in the pool: what the next turn will add to it can be readied while idle.
    const nextTurn = this.answer === undefined ? undefined : this.prepared.nextTurn?.(this.answer + rest);
    if (nextTurn) this.whenIdle(nextTurn);
    const promptTokens = counted?.promptTokens ?? this.prepared.promptTokens;
    const completionTokens = counted?.completionTokens ?? this.completionTokens;
    const cached = this.tokens?.cachedTokens;
    const usage: Usage = {
      prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens,
      ...(cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: cached } }),
    };
    this.pending.push({ type: 'done', finish_reason: reason, usage });
  }

  private async fail(error: unknown): Promise<void> {
    const thrown = ZStreamError.from(error);
    const failure = (await this.hooks.explainFailure?.(thrown)) ?? thrown;
    this.pending.push({ type: 'error', error: failure.serialize() });
    this.hooks.onFailure?.(failure);
    // The step's failure is already this request's error event, and onFailure replaces the
    // worker: a close that fails too adds nothing.
    await this.finish().catch(() => {});
  }

  /**
   * Idempotent; sets `finished` at once, then waits for an in-flight step before freeing the cache
   * and the place. Resolves with the backend's own token counts where it keeps them (WebLLM).
   */
  private finish(): Promise<TokenCounts | undefined> {
    this.finished = true;
    return (this.finishing ??= (async () => {
      try {
        return await this.tokens?.close();
      } finally {
        this.ticket.release();
        if (this.tokens) this.hooks.onRelease?.();
      }
    })());
  }
}
