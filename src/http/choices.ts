// The choices of one request as one event stream: `n` choices for each prompt, generated one
// after the other on the one model (choice index = prompt index × n + j). Both endpoints, streamed
// or not, read this stream; only their wire shapes differ.
import { groupDeltas, type Chunking } from './chunking.js';
import { ZStreamError, endedEarly } from '../shared/errors.js';
import type { ServedEngine } from './models.js';
import type { FinishReason, GenerateRequest, SerializedError, StreamEvent, Usage } from '../shared/protocol.js';

export type ChoiceEvent =
  /** A choice begins (the chat stream sends the role here). */
  | { type: 'start'; index: number }
  | { type: 'delta'; index: number; text: string }
  /** A choice ended. `usage`, the whole request's, comes with the last choice's finish only. */
  | { type: 'finish'; index: number; finish_reason: FinishReason; usage?: Usage }
  | { type: 'error'; error: SerializedError };

export interface ChoicesRequest {
  /** One generation request per prompt. */
  prompts: GenerateRequest[];
  n: number;
  chunking: Chunking;
}

/** Choice `index` of `prompts`: a different seed per choice, so that seeded choices differ yet repeat. */
function choiceRequest({ prompts, n }: ChoicesRequest, index: number): GenerateRequest {
  const request = prompts[Math.floor(index / n)]!;
  const j = index % n;
  return j === 0 || request.seed === undefined ? request : { ...request, seed: request.seed + j };
}

/**
 * Queues every choice as one unit of work (engine.generateAll: a full queue refuses all of them,
 * never choice 2 mid-stream) before returning, so that what fails before any token (context
 * length, a full queue, a model that failed to load) rejects here and becomes an HTTP error.
 */
export async function generateChoices(engine: ServedEngine, request: ChoicesRequest, signal: AbortSignal): Promise<ReadableStream<ChoiceEvent>> {
  const total = request.prompts.length * request.n;
  const streams = await engine.generateAll(Array.from({ length: total }, (_, i) => choiceRequest(request, i)), signal);
  const open = async (index: number) => groupDeltas(streams[index]!, request.chunking).getReader();
  /** The choices after the one being read: cancelled when the stream ends before them. */
  const dropRest = (reason?: unknown) => Promise.all(streams.slice(index + 1).map((s) => s.cancel(reason)));
  let index = 0;
  let reader: ReadableStreamDefaultReader<StreamEvent> | undefined = await open(0);
  let started = false;
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

  const finish = async (done: Extract<StreamEvent, { type: 'done' }>): Promise<ChoiceEvent> => {
    // The prompt is counted once per prompt, as OpenAI counts it for n > 1.
    if (index % request.n === 0) {
      usage.prompt_tokens += done.usage.prompt_tokens;
      const cached = done.usage.prompt_tokens_details?.cached_tokens;
      if (cached !== undefined) usage.prompt_tokens_details = { cached_tokens: (usage.prompt_tokens_details?.cached_tokens ?? 0) + cached };
    }
    usage.completion_tokens += done.usage.completion_tokens;
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const event: ChoiceEvent = { type: 'finish', index, finish_reason: done.finish_reason };
    reader = undefined;
    if (++index === total) return { ...event, usage };
    started = false;
    reader = await open(index);
    return event;
  };

  return new ReadableStream<ChoiceEvent>(
    {
      async pull(controller) {
        if (!reader) return controller.close();
        if (!started) {
          started = true;
          return controller.enqueue({ type: 'start', index });
        }
        const { value, done } = await reader.read();
        if (done) {
          controller.enqueue({ type: 'error', error: endedEarly().serialize() });
          reader = undefined;
          await dropRest();
        } else if (value.type === 'delta') {
          controller.enqueue({ type: 'delta', index, text: value.text });
        } else if (value.type === 'error') {
          controller.enqueue({ type: 'error', error: value.error });
          reader = undefined;
          await dropRest();
        } else {
          controller.enqueue(await finish(value).catch((error: unknown) => {
            if (signal.aborted) throw error; // errors this stream, as a real fetch body errors on abort
            return { type: 'error', error: ZStreamError.from(error).serialize() } as const;
          }));
        }
      },
      cancel: async (reason) => {
        await Promise.all([reader?.cancel(reason), dropRest(reason)]);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}

export interface CollectedChoices {
  choices: Array<{ text: string; finish_reason: FinishReason }>;
  usage: Usage;
}

/** Reads every choice whole, for the non-streamed responses; a failure rejects with its ZStreamError. */
export async function collectChoices(events: ReadableStream<ChoiceEvent>): Promise<CollectedChoices> {
  const texts: string[] = [];
  const choices: CollectedChoices['choices'] = [];
  for await (const event of events) {
    if (event.type === 'start') texts[event.index] = '';
    else if (event.type === 'delta') texts[event.index] += event.text;
    else if (event.type === 'error') throw ZStreamError.deserialize(event.error);
    else {
      choices[event.index] = { text: texts[event.index] ?? '', finish_reason: event.finish_reason };
      if (event.usage) return { choices, usage: event.usage };
    }
  }
  throw endedEarly();
}
