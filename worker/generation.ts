// The backend-independent generation loop: pulls tokens from a backend one step at a time
// and turns them into StreamEvents. Stop sequences, max_tokens and usage live here.
import { ZStreamError } from '../src/errors.js';
import type { FinishReason, GenerateRequest, StreamEvent } from '../src/protocol.js';
import type { Backend, TokenStream } from './backend.js';
import type { Scheduler, Ticket } from './scheduler.js';
import { StopMatcher } from './stop-matcher.js';

/** A pull-based source of one request's events. `pull()` resolves `undefined` once finished. */
export interface EventSource {
  pull(): Promise<StreamEvent | undefined>;
  cancel(): Promise<void>;
}

export async function createGeneration(
  backend: Backend,
  request: GenerateRequest,
  scheduler: Scheduler,
): Promise<EventSource> {
  const prepared = await backend.prepare(request);
  const ticket: Ticket = scheduler.reserve();
  const maxTokens = Math.min(request.max_tokens ?? Infinity, prepared.maxNewTokens);
  const stop = new StopMatcher(request.stop ?? []);
  const pending: StreamEvent[] = [];
  let tokens: TokenStream | undefined;
  let completionTokens = 0;
  let finished = false;

  const finish = async (): Promise<void> => {
    finished = true;
    try {
      await tokens?.close();
    } finally {
      ticket.release();
    }
  };

  const end = async (reason: FinishReason): Promise<void> => {
    // Held-back text that never became a stop sequence belongs to the answer.
    const rest = stop.flush();
    if (rest) pending.push({ type: 'delta', text: rest });
    const usage = {
      prompt_tokens: prepared.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: prepared.promptTokens + completionTokens,
    };
    pending.push({ type: 'done', finish_reason: reason, usage });
    await finish();
  };

  /** Runs decode steps until there is an event to hand out. */
  const step = async (): Promise<void> => {
    if (!tokens) {
      await ticket.ready;
      if (finished) return;
      tokens = prepared.start();
    }
    while (pending.length === 0 && !finished) {
      if (completionTokens >= maxTokens) return end('length');
      const next = await tokens.next();
      if (finished) return; // cancelled while the device was busy
      if (next.kind === 'end') return end(next.reason);
      completionTokens++;
      const out = stop.push(next.text);
      if (out.text) pending.push({ type: 'delta', text: out.text });
      if (out.stopped) return end('stop');
    }
  };

  return {
    async pull() {
      if (pending.length === 0 && !finished) {
        try {
          await step();
        } catch (error) {
          pending.push({ type: 'error', error: ZStreamError.from(error).serialize() });
          await finish().catch(() => {});
        }
      }
      return pending.shift();
    },
    async cancel() {
      pending.length = 0;
      if (!finished) await finish();
    },
  };
}
