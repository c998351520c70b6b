// installServiceWorker(engine): from then on, every request of the origin's pages to the engine's
// base URL (default /v1) — fetch captured before installFetch, XMLHttpRequest, axios, an iframe — is
// answered by this tab's engine through the service worker (worker/service-worker.ts), which hands
// each request over a MessageChannel to a live tab and streams the answer back as a transferred
// ReadableStream (backpressure and cancel reach the generation). The service worker hosts no model.
//
// Scope: a service worker controls the pages under its scope, and its scope may not be above its
// script's folder unless the script is served with `Service-Worker-Allowed`. The default script is
// the package's file, wherever the bundler put it; the default scope is '/' (docs/multi-tab.md).
import { ZStreamError } from '../shared/errors.js';
import type { ServiceWorkerAbort, ServiceWorkerAnswer, ServiceWorkerHello, ServiceWorkerRequestMessage } from '../shared/service-worker-protocol.js';
import { resolveBaseURL } from '../engine/base-url.js';
import { createFetch, type FetchOptions } from '../http/fetch.js';
import type { ServedEngine } from '../http/models.js';

export interface ServiceWorkerOptions extends Pick<FetchOptions, 'strictModel' | 'keepAliveMs'> {
  /** Base URL(s) the service worker answers, same-origin. Default: `/v1`. */
  baseURL?: string | string[];
  /** The service worker script, where your server puts the package's `service-worker.js`. Default: the bundled file. */
  scriptURL?: string | URL;
  /** Pages it serves. Default '/': the script must then be at the root, or served with `Service-Worker-Allowed: /`. */
  scope?: string;
}

/** Holds a Web Lock for as long as this page lives: the service worker sees the page gone when it is free. */
function holdPageLock(): string {
  const name = `zstream-page-${crypto.randomUUID()}`;
  void navigator.locks.request(name, () => new Promise<never>(() => {}));
  return name;
}

async function answer(serve: typeof fetch, message: ServiceWorkerRequestMessage, port: MessagePort, lock: string): Promise<void> {
  port.postMessage({ type: 'accepted', lock } satisfies ServiceWorkerAnswer);
  const abort = new AbortController();
  port.onmessage = ({ data }: MessageEvent<ServiceWorkerAbort>) => {
    if (data.type === 'abort') abort.abort();
  };
  const { url, method, headers, body } = message.request;
  let response: Response;
  try {
    response = await serve(url, { method, headers, body, signal: abort.signal });
  } catch (error) {
    if (abort.signal.aborted) return port.close();
    response = ZStreamError.from(error).toResponse();
  }
  const reply: ServiceWorkerAnswer = {
    type: 'response', status: response.status, statusText: response.statusText, headers: [...response.headers], body: response.body,
  };
  port.postMessage(reply, response.body ? [response.body] : []);
  port.close();
}

/** Waits until a service worker controls this page (right after the first registration, `clients.claim()`). */
function controlled(container: ServiceWorkerContainer): Promise<ServiceWorker> {
  if (container.controller) return Promise.resolve(container.controller);
  return new Promise((resolve) => {
    container.addEventListener('controllerchange', () => container.controller && resolve(container.controller), { once: true });
  });
}

/** Registers the service worker and answers its requests from `engine` while this page lives. */
export async function installServiceWorker(engine: ServedEngine, options: ServiceWorkerOptions = {}): Promise<ServiceWorkerRegistration> {
  const container = navigator.serviceWorker as ServiceWorkerContainer | undefined;
  if (!container) throw new ZStreamError('engine_unavailable', 'Service workers are not available here (they need a secure context).');
  const bases = (Array.isArray(options.baseURL) ? options.baseURL : [options.baseURL ?? '/v1']).map(resolveBaseURL);
  const serve = createFetch(engine, { baseURL: bases, strictModel: options.strictModel, keepAliveMs: options.keepAliveMs });
  const lock = holdPageLock();
  container.addEventListener('message', (event: MessageEvent<ServiceWorkerRequestMessage>) => {
    const port = event.ports[0];
    if (event.data?.type === 'zstream:serve' && port) void answer(serve, event.data, port, lock);
  });
  container.startMessages();
  const script = new URL(options.scriptURL ?? new URL('../../worker/service-worker.ts', import.meta.url), location.href);
  for (const base of bases) script.searchParams.append('base', base);
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register(script, { type: 'module', scope: options.scope ?? '/' });
  } catch (error) {
    throw new ZStreamError(
      'engine_unavailable',
      `The service worker ${script.href} could not be registered for scope ${options.scope ?? '/'}: ${error instanceof Error ? error.message : String(error)}. ` +
        'Serve it with the header `Service-Worker-Allowed: /`, or copy it to the site root and pass { scriptURL } (docs/multi-tab.md).',
      { cause: error },
    );
  }
  const worker = await controlled(container);
  worker.postMessage({ type: 'zstream:hello' } satisfies ServiceWorkerHello);
  return registration;
}
