// A function with fetch's signature that answers OpenAI routes under its base URLs from the
// local engine and passes every other request, untouched, to the real fetch.
import { pageURL, resolveBaseURL } from '../engine/base-url.js';
import { abortableResponse } from './abortable-response.js';
import { chatCompletions } from './chat-completions.js';
import { completions } from './completions.js';
import { ZStreamError, abortReason } from '../shared/errors.js';
import { listModels, retrieveModel, type ServeContext, type ServedEngine } from './models.js';
import { RESPONSES_ROUTES } from './responses.js';
import { scheduleWarmUp } from './warm-up.js';

export interface FetchOptions {
  /** Base URL(s) to serve, absolute or relative to the page. Default: same-origin `/v1`. */
  baseURL?: string | string[];
  /** Where other requests go. Default: the global fetch at the time of the call to createFetch. */
  fetch?: typeof fetch;
  /** Answer names other than the loaded model's id with OpenAI's 404 `model_not_found`. Default: false, any name is served. */
  strictModel?: boolean;
  /** Send a `: keep-alive` SSE comment when a stream has had nothing to send for this long (ms). Default 15 000; 0: never. */
  keepAliveMs?: number;
}

type Route = (context: ServeContext, request: Request, match: RegExpExecArray) => Response | Promise<Response>;

/** A path segment as the client meant it ('org%2Fmodel' is 'org/model'). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const ROUTES: Array<{ method: string; pattern: RegExp; handle: Route }> = [
  { method: 'POST', pattern: /^\/chat\/completions$/, handle: chatCompletions },
  { method: 'POST', pattern: /^\/completions$/, handle: completions },
  ...RESPONSES_ROUTES,
  { method: 'GET', pattern: /^\/models$/, handle: listModels },
  // Model ids may contain '/' ('onnx-community/Qwen2.5-0.5B-Instruct'), encoded or not.
  { method: 'GET', pattern: /^\/models\/(.+)$/, handle: (context, _request, match) => retrieveModel(context, decodeSegment(match[1]!)) },
];

async function route(context: ServeContext, request: Request, path: string): Promise<Response> {
  const matches = ROUTES.map((r) => ({ ...r, match: r.pattern.exec(path) })).filter((r) => r.match !== null);
  const found = matches.find((r) => r.method === request.method);
  if (found?.match) return found.handle(context, request, found.match);
  const where = `${request.method} ${new URL(request.url).pathname}`;
  if (matches.length === 0) throw new ZStreamError('unknown_url', `Invalid URL (${where})`);
  // HTTP requires the allowed methods on a 405.
  const allow = matches.map((r) => r.method).join(', ');
  return new ZStreamError('method_not_allowed', `Invalid method for URL (${where})`).toResponse({ allow });
}

const toURL = (input: RequestInfo | URL): string =>
  input instanceof URL ? input.href : typeof input === 'string' ? input : input.url;

function normalizeBases(baseURL: string | string[] | undefined): string[] {
  const bases = baseURL === undefined ? ['/v1'] : Array.isArray(baseURL) ? baseURL : [baseURL];
  return bases.map(resolveBaseURL);
}

export function createFetch(engine: ServedEngine, options: FetchOptions = {}): typeof fetch {
  const bases = normalizeBases(options.baseURL);
  const context: ServeContext = { engine, strictModel: options.strictModel ?? false, keepAliveMs: options.keepAliveMs ?? 15_000 };
  const passthrough = options.fetch ?? globalThis.fetch.bind(globalThis);
  if (!engine.forward) scheduleWarmUp(context); // the first request then finds the SSE path compiled (src/http/warm-up.ts)
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(toURL(input), pageURL());
    const target = url.origin + url.pathname;
    const base = bases.find((b) => target === b || target.startsWith(`${b}/`));
    if (base === undefined) return passthrough(input, init);
    const request = new Request(input, init);
    if (request.signal.aborted) throw abortReason(request.signal);
    // Pass-through (createEngine's `passThrough`): the upstream answers, unchanged.
    if (engine.forward) return engine.forward(request, target.slice(base.length));
    try {
      return abortableResponse(await route(context, request, target.slice(base.length)), request.signal);
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason ?? error;
      return ZStreamError.from(error).toResponse();
    }
  };
}

/** Patches `globalThis.fetch`; returns a function that restores the original. */
export function installFetch(engine: ServedEngine, options: Omit<FetchOptions, 'fetch'> = {}): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = createFetch(engine, { ...options, fetch: original.bind(globalThis) });
  return () => {
    globalThis.fetch = original;
  };
}
