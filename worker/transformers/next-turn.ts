// The next turn of a chat, readied while the model is idle. A chat client sends the previous answer
// back as text, and the template's encoding of it is not always the tokens the model generated: a
// tokenizer that does not re-encode the model's output to the same tokens, a template that drops
// reasoning from earlier turns or trims the answer. The prefix cache then holds the answer as
// generated, and the next request prefills the answer again, plus what follows it. So once the
// request has ended, the tokens the next turn will start with (the conversation so far, the answer as
// the template renders it, whatever the template puts before the next message) are prefilled into
// the cache while nobody waits for the model (worker/idle-work.ts). The next request matches them
// by token id like any entry, so its output is the same as without (docs/performance.md).
import type { IdleSlot } from '../idle-work.js';
import { forwardPass, type DecodeContext } from './token-stream.js';

/** Tokens per forward pass of the warm-up: a request that arrives meanwhile waits for one pass at most. */
export const NEXT_TURN_CHUNK_TOKENS = 32;

/**
 * The tokens every next turn starts with: the conversation rendered with the answer and a next user
 * message, twice with different messages, up to where the two differ. So it holds exactly what the
 * template renders whatever the next message says (e.g. an answer whose reasoning it drops once a
 * user message follows). undefined where the template refuses such a conversation (roles that must
 * alternate after a conversation that ended otherwise): then no next turn looks like that.
 */
export function nextTurnStart(render: (nextMessage: string) => number[]): number[] | undefined {
  let a: number[];
  let b: number[];
  try {
    a = render('A');
    b = render('B');
  } catch {
    return undefined; // the template's raise_exception: a prediction that does not apply, not a failure
  }
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

/**
 * Prefills what the cache lacks of `target`, a pass of NEXT_TURN_CHUNK_TOKENS at a time, each in the
 * scheduler's turn; between passes the cache holds what is done (so a request arriving then takes it
 * whole), and the warm-up stops once a request holds or waits for a place, or a pass added nothing
 * to the pool (an entry larger than the whole budget is not kept: another pass would redo it).
 */
export async function warmPrefix(ctx: DecodeContext, target: readonly number[], slot: IdleSlot): Promise<void> {
  // A next prompt must fit with one token more: positions beyond the window are never needed. And
  // no more than one entry can keep: an entry taken whole and extended beyond the budget would be
  // lost (the pool does not keep it), with what it held.
  const wanted = target.slice(0, Math.min(ctx.contextLength - 1, ctx.prefixCache.tokenCapacity));
  let finished = false;
  while (!finished && slot.stillIdle()) {
    finished = await slot.step(async () => {
      if (!slot.stillIdle()) return true;
      const before = ctx.prefixCache.longestMatch(wanted);
      if (before >= wanted.length) return true;
      const { cache, length } = await ctx.prefixCache.take(wanted);
      const ids = wanted.slice(length, length + NEXT_TURN_CHUNK_TOKENS);
      let filled;
      try {
        filled = (await forwardPass(ctx, ids, length, cache)).cache;
      } catch (error) {
        await cache?.dispose();
        throw error;
      }
      await ctx.prefixCache.put(wanted.slice(0, length + ids.length), filled);
      return length + ids.length >= wanted.length || ctx.prefixCache.longestMatch(wanted) <= before;
    });
  }
}
