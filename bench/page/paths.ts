// The zstream paths, each timed from the call that starts the request to the end of its
// stream: (a) the floor worker, (b) engine.chatStream, (c) the openai SDK through createFetch,
// (c′) the same SDK on the Responses API, (d) a plain fetch + getReader() loop through
// installFetch. And the layers between (a) and (b), one at a time, to show where the time goes.
import type { Remote } from 'comlink';
import type OpenAI from 'openai';
import type { Engine } from '../../src/index.js';
import type { StreamEvent } from '../../src/shared/protocol.js';
import type { FloorApi, RunRecord } from '../workers/messages.js';
import { MESSAGES, requestParams, type Workload } from './workloads.js';

export const PATHS = ['floor', 'chatStream', 'sdk', 'responses', 'fetch'] as const;
export const LAYERS = ['loop', 'transfer', 'pullById', 'firstInReply', 'batched'] as const;
export type PathName = (typeof PATHS)[number] | (typeof LAYERS)[number];

/**
 * The floor's transports run as far ahead as the engine (ctx.runAhead events): the one-event-per-chunk
 * ones queue one less in the worker (the transfer holds one more); the batched one counts them all.
 */
const workerQueue = (ctx: PathContext) => Math.max(1, ctx.runAhead - 1);

export interface PathContext {
  floor: Remote<FloorApi>;
  engine: Engine;
  /** The openai SDK with `fetch: createFetch(engine, …)`. */
  sdk: OpenAI;
  /** URL of the chat route that `installFetch` answers. */
  fetchURL: string;
  /** The engine's runAhead: the floor's transports get the same bound. */
  runAhead: number;
}

export function runPath(path: PathName, ctx: PathContext, workload: Workload): Promise<RunRecord> {
  switch (path) {
    case 'floor':
      return ctx.floor.run({ messages: MESSAGES, ...requestParams(workload) });
    case 'loop':
      return ctx.floor.runLoop({ messages: MESSAGES, ...requestParams(workload) });
    case 'transfer':
      return readEvents(() => ctx.floor.openStream({ messages: MESSAGES, ...requestParams(workload) }, workerQueue(ctx)));
    case 'firstInReply':
      return readEvents(async () => {
        const { first, stream } = await ctx.floor.openStreamFirst({ messages: MESSAGES, ...requestParams(workload) }, workerQueue(ctx));
        return first ? prepend(first, stream) : stream;
      });
    case 'batched':
      return readEvents(async () =>
        flatten(await ctx.floor.openBatched({ messages: MESSAGES, ...requestParams(workload) }, ctx.runAhead)),
      );
    case 'pullById':
      return readEvents(async () => pulledStream(ctx, await ctx.floor.open({ messages: MESSAGES, ...requestParams(workload) })));
    case 'chatStream':
      return runChatStream(ctx.engine, workload);
    case 'sdk':
      return runSdk(ctx.sdk, workload);
    case 'responses':
      return runResponses(ctx.sdk, workload);
    case 'fetch':
      return runFetch(ctx.fetchURL, workload);
  }
}

/** A stream that asks the floor worker for each event: one Comlink call per event. */
function pulledStream(ctx: PathContext, id: number): ReadableStream<StreamEvent> {
  return new ReadableStream<StreamEvent>(
    {
      async pull(controller) {
        const event = await ctx.floor.pull(id);
        if (event) controller.enqueue(event);
        else controller.close();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}

function prepend(first: StreamEvent, rest: ReadableStream<StreamEvent>): ReadableStream<StreamEvent> {
  return rest.pipeThrough(new TransformStream<StreamEvent, StreamEvent>({ start: (controller) => controller.enqueue(first) }));
}

function flatten(batches: ReadableStream<StreamEvent[]>): ReadableStream<StreamEvent> {
  return batches.pipeThrough(new TransformStream<StreamEvent[], StreamEvent>({
    transform(batch, controller) {
      for (const event of batch) controller.enqueue(event);
    },
  }));
}

/** Reads a worker's StreamEvents on the page: no engine, no request queue, no SSE. */
async function readEvents(open: () => Promise<ReadableStream<StreamEvent>>): Promise<RunRecord> {
  const start = performance.now();
  const reader = (await open()).getReader();
  const deltas: number[] = [];
  let text = '';
  let tokens: number | null = null;
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    if (value.type === 'delta') {
      deltas.push(performance.now() - start);
      text += value.text;
    } else if (value.type === 'done') tokens = value.usage.completion_tokens;
  }
  return { deltas, end: performance.now() - start, tokens, text };
}

async function runChatStream(engine: Engine, workload: Workload): Promise<RunRecord> {
  const start = performance.now();
  const deltas: number[] = [];
  let text = '';
  for await (const delta of engine.chatStream(MESSAGES, requestParams(workload))) {
    deltas.push(performance.now() - start);
    text += delta;
  }
  // chatStream yields text only: the runner takes the token count from paths with the same text.
  return { deltas, end: performance.now() - start, tokens: null, text };
}

/**
 * `usage`: asks for the usage chunk (stream_options.include_usage), which records prompt and cached
 * tokens; it comes after the last token, so TTFT and ITL are not affected.
 */
export async function runSdk(
  sdk: OpenAI, workload: Workload, { messages = MESSAGES, usage: withUsage = false }: { messages?: OpenAI.ChatCompletionMessageParam[]; usage?: boolean } = {},
): Promise<RunRecord> {
  const start = performance.now();
  const deltas: number[] = [];
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  const stream = await sdk.chat.completions.create({
    model: 'local', messages, stream: true, ...(withUsage ? { stream_options: { include_usage: true } } : {}), ...requestParams(workload),
  });
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta?.content;
    if (content) {
      deltas.push(performance.now() - start);
      text += content;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  return {
    deltas, end: performance.now() - start, tokens: usage?.completion_tokens ?? null, text,
    ...(usage ? { promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0 } : {}),
  };
}

/** The same workload through the Responses API: `max_output_tokens` for max_tokens; `seed` is zStream's extension there. */
async function runResponses(sdk: OpenAI, workload: Workload): Promise<RunRecord> {
  const start = performance.now();
  const deltas: number[] = [];
  let text = '';
  let tokens: number | null = null;
  const { max_tokens, ...params } = requestParams(workload);
  const request = { model: 'local', input: MESSAGES, stream: true as const, store: false, max_output_tokens: max_tokens, ...params };
  for await (const event of await sdk.responses.create(request)) {
    if (event.type === 'response.output_text.delta' && event.delta) {
      deltas.push(performance.now() - start);
      text += event.delta;
    } else if (event.type === 'response.completed' || event.type === 'response.incomplete') {
      tokens = event.response.usage?.output_tokens ?? null;
    }
  }
  return { deltas, end: performance.now() - start, tokens, text };
}

/** What a user writes without an SDK: read the body, split events on blank lines, parse `data:`. */
async function runFetch(url: string, workload: Workload): Promise<RunRecord> {
  const start = performance.now();
  const deltas: number[] = [];
  let text = '';
  let tokens: number | null = null;
  let bytes = 0;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'local', messages: MESSAGES, stream: true, ...requestParams(workload) }),
  });
  if (!response.ok || !response.body) throw new Error(`fetch path: HTTP ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const chunk = JSON.parse(event.slice(6)) as { choices: Array<{ delta?: { content?: string } }>; usage?: { completion_tokens: number } };
      const content = chunk.choices[0]?.delta?.content;
      if (content) {
        deltas.push(performance.now() - start);
        text += content;
      }
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
    }
  }
  return { deltas, end: performance.now() - start, tokens, text, bytes };
}
