// POST /chat/completions: OpenAI's chat.completion body, or its chat.completion.chunk stream.
import type { Engine } from './engine.js';
import { ZStreamError } from './errors.js';
import type { ChatCompletion, ChatCompletionChunk } from './openai-types.js';
import type { FinishReason, StreamEvent, Usage } from './protocol.js';
import { parseChatCompletion, readJsonBody } from './request.js';
import { SSE_DONE, SSE_HEADERS, sseData, sseEvent } from './sse.js';

// OpenAI sends one; clients only compare it across responses.
const SYSTEM_FINGERPRINT = 'fp_zstream';

const completionId = () => `chatcmpl-${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;

export async function chatCompletions(engine: Engine, request: Request): Promise<Response> {
  const params = parseChatCompletion(await readJsonBody(request));
  const events = await engine.generate(params.request, request.signal);
  const meta = { id: completionId(), created: Math.floor(Date.now() / 1000), model: engine.model.id };
  return params.stream ? streamResponse(events, meta, params.includeUsage) : jsonResponse(events, meta);
}

type Meta = { id: string; created: number; model: string };

async function jsonResponse(events: ReadableStream<StreamEvent>, meta: Meta): Promise<Response> {
  let content = '';
  for await (const event of events) {
    if (event.type === 'delta') content += event.text;
    else if (event.type === 'error') return ZStreamError.deserialize(event.error).toResponse();
    else {
      const body: ChatCompletion = {
        ...meta,
        object: 'chat.completion',
        system_fingerprint: SYSTEM_FINGERPRINT,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: event.finish_reason }],
        usage: event.usage,
      };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    }
  }
  throw new ZStreamError('generation_failed', 'The generation ended without a result.');
}

/**
 * The chunk stream, pulled by the reader: one whole SSE event per chunk. The first chunk carries
 * the role, the last an empty delta with the finish reason, then `[DONE]`, then the stream closes.
 * Usage rides on the final chunk; with `stream_options.include_usage` it is OpenAI's form instead:
 * `usage: null` on every chunk and one more chunk with `choices: []`.
 */
function streamResponse(events: ReadableStream<StreamEvent>, meta: Meta, includeUsage: boolean): Response {
  const reader = events.getReader();
  const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: FinishReason | null, usage?: Usage): ChatCompletionChunk => ({
    ...meta,
    object: 'chat.completion.chunk',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : usage ? { usage } : {}),
  });
  let started = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(sseData(chunk({ role: 'assistant', content: '' }, null)));
          return;
        }
        let result: ReadableStreamReadResult<StreamEvent>;
        try {
          result = await reader.read();
        } catch (error) {
          controller.error(error); // an aborted signal: reading the body rejects, as with fetch
          return;
        }
        const event = result.value;
        if (result.done || event === undefined) {
          controller.enqueue(sseEvent('error', new ZStreamError('generation_failed', 'The generation ended without a result.').toJSON()));
          controller.close();
        } else if (event.type === 'delta') {
          controller.enqueue(sseData(chunk({ content: event.text }, null)));
        } else if (event.type === 'error') {
          controller.enqueue(sseEvent('error', ZStreamError.deserialize(event.error).toJSON()));
          controller.close();
        } else {
          controller.enqueue(sseData(chunk({}, event.finish_reason, event.usage)));
          if (includeUsage) controller.enqueue(sseData({ ...chunk({}, null), choices: [], usage: event.usage }));
          controller.enqueue(SSE_DONE);
          controller.close();
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
  return new Response(body, { headers: SSE_HEADERS });
}
