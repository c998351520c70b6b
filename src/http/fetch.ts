// A function with fetch's signature that answers OpenAI routes under its base URLs from the
// engine and passes every other request, untouched, to the real fetch. Each request under the base
// URLs gets one owner (request-owner.ts) that stops everything it started on abort or cancel.
import { pageURL, resolveBaseURL } from '../engine/base-url.js';
import { chatCompletions } from './chat-completions.js';
import { completions } from './completions.js';
import { clip } from './quote.js';
import { ZStreamError, abortReason } from '../shared/errors.js';
import { listModels, retrieveModel, type ServeContext, type ServedEngine } from './models.js';
import { RESPONSES_ROUTES } from './responses.js';
import { RequestOwner } from './request-owner.js';

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
  const where = `${clip(request.method)} ${clip(new URL(request.url).pathname)}`;
  if (matches.length === 0) throw new ZStreamError('unknown_url', `Invalid URL (${where})`);
  // HTTP requires the allowed methods on a 405.
  const allow = matches.map((r) => r.method).join(', ');
  return new ZStreamError('method_not_allowed', `Invalid method for URL (${where})`).toResponse({ allow });
}

/** The routes' answer; what fails is OpenAI's error response, except an abort, which rejects as a real fetch does. */
async function answerFromRoutes(context: ServeContext, request: Request, path: string): Promise<Response> {
  try {
    return await route(context, request, path);
  } catch (error) {
    if (request.signal.aborted) throw abortReason(request.signal);
    return ZStreamError.from(error).toResponse();
  }
}

/**
 * What fetch itself would request: a Request's url, else the input as a string. Duck-typed, since a
 * URL or Request from another realm (an iframe) or a polyfill fails `instanceof`, and a miss here
 * would send a request meant for the model to the network.
 */
const toURL = (input: RequestInfo | URL): string =>
  typeof input === 'object' && 'url' in input && typeof input.url === 'string' && 'method' in input ? input.url : String(input);

function normalizeBases(baseURL: string | string[] | undefined): string[] {
  const bases = baseURL === undefined ? ['/v1'] : Array.isArray(baseURL) ? baseURL : [baseURL];
  return bases.map(resolveBaseURL);
}

export function createFetch(engine: ServedEngine, options: FetchOptions = {}): typeof fetch {
  const bases = normalizeBases(options.baseURL);
  const context: ServeContext = { engine, strictModel: options.strictModel ?? false, keepAliveMs: options.keepAliveMs ?? 15_000 };
  const realFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  // An engine that is an OpenAI server already (a remote one) answers itself; any other through the routes.
  const answer = engine.serve?.bind(engine) ?? ((request: Request, path: string) => answerFromRoutes(context, request, path));
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(toURL(input), pageURL());
    const target = url.origin + url.pathname;
    const base = bases.find((b) => target === b || target.startsWith(`${b}/`));
    if (base === undefined) return realFetch(input, init);
    const request = new Request(input, init);
    if (request.signal.aborted) throw abortReason(request.signal);
    const owner = new RequestOwner(request.signal);
    try {
      return owner.respond(await answer(owner.own(request), target.slice(base.length)));
    } catch (error) {
      owner.end();
      throw error;
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
