// Pass-through: an Engine that sends requests to a real OpenAI-compatible server (vLLM, Ollama,
// a cloud API) instead of a local model. It is an OpenAI server already, so it answers HTTP requests
// itself (`serve`, Engine's general capability): createFetch hands it requests under its base URLs,
// and it sends them upstream unchanged (same method, path, query, headers and body) and returns the
// response as is. `generate` (engine.chat, chatStream) asks the upstream with OpenAI's parameters
// only: zstream's options (signal, stallTimeoutMs) are split off first (request-options.ts).
// Off by default: nothing leaves the device unless `createEngine({ passThrough })` asks for it.
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { Engine, RequestOptions } from './types.js';
import { ZStreamError } from '../shared/errors.js';
import { chatDeltas, collectResult } from './event-readers.js';
import { resolveBaseURL } from './base-url.js';
import { splitRequestOptions } from './request-options.js';
import type { ChatMessage, FinishReason, GenerateRequest, ModelInfo, StreamEvent, Usage } from '../shared/protocol.js';

export interface PassThroughOptions {
  /** The upstream's OpenAI base URL, e.g. 'http://localhost:11434/v1' (Ollama) or 'https://api.openai.com/v1'. */
  baseURL: string;
  /** 'always': no local model loads. 'fallback': only when the model cannot load on this device. */
  when: 'always' | 'fallback';
  /** The upstream model that `engine.chat` / `chatStream` ask for; forwarded requests keep their own. */
  model: string;
  /**
   * Set on every upstream request, e.g. `{ authorization: 'Bearer …' }`. With them, the client's own
   * credentials (CLIENT_CREDENTIALS) are not sent upstream: they were meant for another server.
   */
  headers?: Record<string, string>;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/** Headers OpenAI-style clients send their key or account in (OpenAI's, Azure's, Anthropic-style proxies'). */
const CLIENT_CREDENTIALS = ['authorization', 'api-key', 'x-api-key', 'openai-organization', 'openai-project'];

type Chunk = {
  choices?: Array<{ delta?: { content?: string | null }; text?: string; finish_reason?: string | null }>;
  usage?: Usage | null;
};

export class RemoteEngine implements Engine {
  readonly model: ModelInfo;
  private readonly baseURL: string;
  /** Decided once, as createFetch does: an installFetch patch made later must not loop back here. */
  private readonly fetch: typeof fetch;

  constructor(private readonly options: PassThroughOptions, fallbackReason?: string) {
    this.baseURL = resolveBaseURL(options.baseURL);
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.model = {
      id: options.model, backend: 'pass-through', device: 'remote', weights: this.baseURL, contextLength: 0,
      ...(fallbackReason ? { fallbackReason } : {}),
    };
  }

  /** The client's request, sent to `<upstream base><path>` with the configured headers; the response as is. */
  async serve(request: Request, path: string): Promise<Response> {
    // The body is read whole: Chromium streams request bodies over HTTP/2 only.
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    const { method, headers, signal, redirect, credentials, referrerPolicy } = request;
    return this.send(path, { method, headers, body, signal, redirect, credentials, referrerPolicy }, new URL(request.url).search);
  }

  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<ReadableStream<StreamEvent>> {
    const chat = 'messages' in request;
    const body = { ...request, model: this.options.model, stream: true, stream_options: { include_usage: true } };
    const response = await this.send(chat ? '/chat/completions' : '/completions', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}),
    });
    if (!response.ok || !response.body) throw await upstreamError(response);
    return response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).pipeThrough(toEvents());
  }

  /** `path` under the upstream base's path; the base's query (Azure's `api-version`) and then the client's. */
  private send(path: string, init: RequestInit, search = ''): Promise<Response> {
    const url = new URL(this.baseURL);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    for (const [name, value] of new URLSearchParams(search)) url.searchParams.append(name, value);
    const headers = new Headers(init.headers);
    if (this.options.headers) for (const name of CLIENT_CREDENTIALS) headers.delete(name);
    for (const [name, value] of Object.entries(this.options.headers ?? {})) headers.set(name, value);
    return this.fetch(url.href, { ...init, headers });
  }

  /** One upstream request at a time: the first is sent now (its errors reject here), each next one when first read. */
  async generateAll(requests: GenerateRequest[], signal?: AbortSignal): Promise<Array<ReadableStream<StreamEvent>>> {
    const [first, ...rest] = requests;
    if (!first) return [];
    return [await this.generate(first, signal), ...rest.map((request) => lazyStream(() => this.generate(request, signal)))];
  }

  chatStream(messages: ChatMessage[], options: RequestOptions = {}): AsyncIterableIterator<string> {
    const { params, signal } = splitRequestOptions(options);
    return chatDeltas((stop) => this.generate({ ...params, messages }, stop), signal);
  }

  async chat(messages: ChatMessage[], options: RequestOptions & { onToken?: (text: string) => void } = {}) {
    const { params, signal } = splitRequestOptions(options);
    return collectResult(await this.generate({ ...params, messages }, signal), options.onToken);
  }

  dispose(): void {}
}

/** A stream that opens its source when first read. */
function lazyStream<T>(open: () => Promise<ReadableStream<T>>): ReadableStream<T> {
  let reader: ReadableStreamDefaultReader<T> | undefined;
  return new ReadableStream<T>(
    {
      async pull(controller) {
        reader ??= (await open()).getReader();
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader?.cancel(reason),
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}

async function upstreamError(response: Response): Promise<ZStreamError> {
  // An error body that is not JSON leaves the status text as the message.
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  const message = body?.error?.message ?? response.statusText;
  return new ZStreamError('generation_failed', `The pass-through server answered ${response.status}: ${message}`);
}

/** OpenAI's SSE chunks (chat or legacy completions) as StreamEvents; usage comes last, before [DONE]. */
function toEvents(): TransformStream<{ event?: string | undefined; data: string }, StreamEvent> {
  let finish: FinishReason = 'stop';
  let chunks = 0;
  let done = false;
  return new TransformStream({
    transform({ event, data }, controller) {
      if (data === '[DONE]') return;
      const parsed = JSON.parse(data) as Chunk & { error?: { message?: string } };
      if (event === 'error' || parsed.error) {
        const message = parsed.error?.message ?? data;
        done = true;
        controller.enqueue({ type: 'error', error: { code: 'generation_failed', message, param: null } });
        return;
      }
      const choice = parsed.choices?.[0];
      const text = choice?.delta?.content ?? choice?.text ?? '';
      if (text) {
        controller.enqueue({ type: 'delta', text, tokens: 1 });
        chunks++;
      }
      if (choice?.finish_reason === 'length' || choice?.finish_reason === 'stop') finish = choice.finish_reason;
      if (parsed.usage) {
        done = true;
        controller.enqueue({ type: 'done', finish_reason: finish, usage: parsed.usage });
      }
    },
    flush(controller) {
      // A server that ignores stream_options.include_usage: count its chunks, which is what is known.
      if (!done) controller.enqueue({ type: 'done', finish_reason: finish, usage: { prompt_tokens: 0, completion_tokens: chunks, total_tokens: chunks } });
    },
  });
}
