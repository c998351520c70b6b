// An engine for unit tests of the HTTP layer: it answers every request with the same scripted
// tokens, honours max_tokens, and records what it was asked. It makes no error of its own but the
// ones a test asks for (`failure`, FAIL_MID_STREAM): what the real engine rejects (a prompt too
// long for the context, sampling, stop sequences) is tested in worker/*.test.ts and in e2e.
import { ZStreamError } from '../src/shared/errors.js';
import type { ServedEngine } from '../src/http/models.js';
import type { GenerateRequest, StreamEvent } from '../src/shared/protocol.js';

export const REPLY_TOKENS = ['Hello', ' world', '.', ' It', ' is', ' a', ' café', ' 👋', '.'];
export const REPLY = REPLY_TOKENS.join('');
export const FAKE_MODEL = 'fake-model';

/** A prompt containing this fails mid-stream, after two tokens. */
export const FAIL_MID_STREAM = 'FAIL';

const promptText = (request: GenerateRequest) =>
  'messages' in request ? request.messages.map((m) => m.content).join('\n') : request.prompt;

export interface FakeEngine extends ServedEngine {
  /** Every request generate() was called with, in order. */
  requests: GenerateRequest[];
  /** The signal of each of those requests: the request's owner's (src/http/request-owner.ts). */
  signals: AbortSignal[];
}

export interface FakeOptions {
  id?: string;
  /** Every generate() rejects with it (a model that failed to load, a full queue). */
  failure?: ZStreamError;
}

export function fakeEngine({ id = FAKE_MODEL, failure }: FakeOptions = {}): FakeEngine {
  const requests: GenerateRequest[] = [];
  const signals: AbortSignal[] = [];
  const engine: FakeEngine = {
    requests,
    signals,
    model: { id, backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: 100 },
    async generate(request, signal) {
      requests.push(request);
      if (failure) throw failure;
      if (signal?.aborted) throw signal.reason;
      if (signal) signals.push(signal);
      const prompt = promptText(request);
      const promptTokens = prompt.length;
      const max = request.max_tokens ?? Infinity;
      const events: StreamEvent[] = [];
      let count = 0;
      for (const text of REPLY_TOKENS) {
        if (count === max) break;
        if (prompt.includes(FAIL_MID_STREAM) && count === 2) {
          events.push({ type: 'error', error: { code: 'generation_failed', message: 'the device was lost', param: null } });
          break;
        }
        events.push({ type: 'delta', text, tokens: 1 });
        count++;
      }
      const finish_reason = count === REPLY_TOKENS.length ? 'stop' : 'length';
      const usage = { prompt_tokens: promptTokens, completion_tokens: count, total_tokens: promptTokens + count };
      if (events.at(-1)?.type !== 'error') events.push({ type: 'done', finish_reason, usage });
      return new ReadableStream<StreamEvent>({
        pull(controller) {
          if (signal?.aborted) return controller.error(signal.reason);
          const event = events.shift();
          if (event) controller.enqueue(event);
          else controller.close();
        },
      }, new CountQueuingStrategy({ highWaterMark: 0 }));
    },
    // `this`, not `engine`: tests spread the fake and replace `generate`.
    generateAll(all, signal) {
      return Promise.all(all.map((request) => this.generate(request, signal)));
    },
  };
  return engine;
}

/** An engine whose every answer is `tokens`, one delta each, finishing with `stop` (tool calls and JSON on the wire). */
export function scriptedEngine(tokens: string[]): FakeEngine {
  const base = fakeEngine();
  return {
    ...base,
    async generate(request: GenerateRequest) {
      base.requests.push(request);
      const events: StreamEvent[] = tokens.map((text) => ({ type: 'delta', text, tokens: 1 }));
      events.push({ type: 'done', finish_reason: 'stop', usage: { prompt_tokens: 5, completion_tokens: tokens.length, total_tokens: 5 + tokens.length } });
      return new ReadableStream<StreamEvent>({
        pull(controller) {
          const event = events.shift();
          if (event) controller.enqueue(event);
          else controller.close();
        },
      }, new CountQueuingStrategy({ highWaterMark: 0 }));
    },
  };
}
