// A function with fetch's signature that answers OpenAI routes under its base URLs from the
// local engine and passes every other request, untouched, to the real fetch.
import { chatCompletions } from './chat-completions.js';
import type { Engine } from './engine.js';
import { ZStreamError } from './errors.js';
import type { Model } from './openai-types.js';

export interface FetchOptions {
  /** Base URL(s) to serve, absolute or relative to the page. Default: same-origin `/v1`. */
  baseURL?: string | string[];
  /** Where other requests go. Default: the global fetch at the time of the call to createFetch. */
  fetch?: typeof fetch;
}

type Route = (engine: Engine, request: Request, path: string) => Promise<Response>;

const MODEL_CREATED = Math.floor(Date.now() / 1000);
const modelObject = (engine: Engine): Model => ({ id: engine.model.id, object: 'model', created: MODEL_CREATED, owned_by: 'zstream' });
const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

const ROUTES: Array<{ method: string; pattern: RegExp; handle: Route }> = [
  { method: 'POST', pattern: /^\/chat\/completions$/, handle: chatCompletions },
  { method: 'GET', pattern: /^\/models$/, handle: async (engine) => json({ object: 'list', data: [modelObject(engine)] }) },
  {
    method: 'GET',
    pattern: /^\/models\/[^/]+$/,
    handle: async (engine) => json(modelObject(engine)),
  },
];

function route(engine: Engine, request: Request, path: string): Promise<Response> {
  const matches = ROUTES.filter((r) => r.pattern.test(path));
  const match = matches.find((r) => r.method === request.method);
  if (match) return match.handle(engine, request, path);
  const code = matches.length > 0 ? 'method_not_allowed' : 'unknown_url';
  const pathname = new URL(request.url).pathname;
  throw new ZStreamError(code, `Invalid URL (${request.method} ${pathname})`);
}

const toURL = (input: RequestInfo | URL): string =>
  input instanceof URL ? input.href : typeof input === 'string' ? input : input.url;

/** Resolves and strips a trailing slash, so `base + '/chat/completions'` is the route. */
function normalizeBases(baseURL: string | string[] | undefined): string[] {
  const bases = baseURL === undefined ? ['/v1'] : Array.isArray(baseURL) ? baseURL : [baseURL];
  return bases.map((b) => new URL(b, location.href).href.replace(/\/+$/, ''));
}

export function createFetch(engine: Engine, options: FetchOptions = {}): typeof fetch {
  const bases = normalizeBases(options.baseURL);
  const passthrough = options.fetch ?? globalThis.fetch.bind(globalThis);
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(toURL(input), location.href);
    const target = url.origin + url.pathname;
    const base = bases.find((b) => target === b || target.startsWith(`${b}/`));
    if (base === undefined) return passthrough(input, init);
    const request = new Request(input, init);
    if (request.signal.aborted) throw request.signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
    try {
      return await route(engine, request, target.slice(base.length));
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason ?? error;
      return ZStreamError.from(error).toResponse();
    }
  };
}

/** Patches `globalThis.fetch`; returns a function that restores the original. */
export function installFetch(engine: Engine, options: Omit<FetchOptions, 'fetch'> = {}): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = createFetch(engine, { ...options, fetch: original.bind(globalThis) });
  return () => {
    globalThis.fetch = original;
  };
}
