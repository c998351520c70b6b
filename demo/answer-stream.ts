// One streamed answer through either OpenAI API the SDK offers: chat completions
// (`chat.completions.create`) or the Responses API (`responses.create`). Both read as the same
// text pieces, usage and finish reason, so the conversation does not care which runs.
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, CompletionUsage } from 'openai/resources';

export const APIS = ['chat', 'responses'] as const;
export type Api = (typeof APIS)[number];

export interface AnswerRequest {
  model: string;
  messages: ChatCompletionMessageParam[];
  temperature?: number;
  max_tokens?: number;
}

export interface AnswerPiece {
  text?: string;
  usage?: CompletionUsage;
  /** OpenAI's chat finish reasons: a Responses `incomplete` is 'length'. */
  finishReason?: string;
}

/** The pieces of one answer; `controller` aborts its request (the SDK's own handle). */
export interface AnswerStream extends AsyncIterable<AnswerPiece> {
  controller: AbortController;
}

export async function openAnswerStream(client: OpenAI, api: Api, request: AnswerRequest, signal: AbortSignal): Promise<AnswerStream> {
  const { model, messages, temperature, max_tokens } = request;
  if (api === 'chat') {
    const stream = await client.chat.completions.create({ model, messages, temperature, max_tokens, stream: true, stream_options: { include_usage: true } }, { signal });
    return {
      controller: stream.controller,
      async *[Symbol.asyncIterator]() {
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          yield { text: choice?.delta.content ?? undefined, usage: chunk.usage ?? undefined, finishReason: choice?.finish_reason ?? undefined };
        }
      },
    };
  }
  // The whole conversation each turn (store: false): a stopped answer is remembered as far as it was shown.
  const input = messages.flatMap((m) => (typeof m.content === 'string' && m.role !== 'tool' && m.role !== 'function' ? [{ role: m.role, content: m.content }] : []));
  const stream = await client.responses.create({ model, input, temperature, max_output_tokens: max_tokens, store: false, stream: true }, { signal });
  return {
    controller: stream.controller,
    async *[Symbol.asyncIterator]() {
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') yield { text: event.delta };
        else if (event.type === 'response.completed' || event.type === 'response.incomplete') {
          const usage = event.response.usage;
          yield {
            finishReason: event.type === 'response.completed' ? 'stop' : 'length',
            usage: usage ? { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens } : undefined,
          };
        }
        // A failure is response.failed, then an `error` event the SDK raises as APIError, as chat's.
      }
    },
  };
}
