// The service worker of installServiceWorker(engine) (src/service-worker/install.ts). It hosts no
// model (browsers stop idle service workers): every request of the origin's pages to a base URL
// (`?base=` in this script's URL; default /v1) is handed, over a MessageChannel, to a live tab that
// has an engine, and that tab's answer comes back as a transferred ReadableStream, so backpressure
// and cancel reach its generation. Whatever the caller (fetch captured early, XMLHttpRequest, axios,
// an iframe), it gets the engine's bytes. No tab to answer: OpenAI's 503 body at once, never a hang.
// Other URLs are not touched.
import { ZStreamError } from '../src/shared/errors.js';
import type {
  CaughtRequest, ServiceWorkerAbort, ServiceWorkerAnswer, ServiceWorkerHello, ServiceWorkerRequestMessage,
} from '../src/shared/service-worker-protocol.js';

declare const self: ServiceWorkerGlobalScope & typeof globalThis;

/** How long a tab has to take a request before the next one is asked. */
const ACCEPT_MS = 1_000;

const params = new URL(self.location.href).searchParams.getAll('base');
const bases = (params.length ? params : [new URL('/v1', self.location.origin).href]).map((b) => b.replace(/\/+$/, ''));

/** Tabs that said they answer, tried first; forgotten when one does not. */
const serving = new Set<string>();

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  const hello = event.data as ServiceWorkerHello | undefined;
  if (hello?.type === 'zstream:hello' && event.source && 'id' in event.source) serving.add(event.source.id);
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const target = url.origin + url.pathname;
  if (!bases.some((base) => target === base || target.startsWith(`${base}/`))) return;
  event.respondWith(serve(event));
});

const unavailable = () =>
  new ZStreamError('engine_unavailable', 'No open page of this site has a zstream engine to answer the request. Open one and retry.').toResponse();

async function serve(event: FetchEvent): Promise<Response> {
  const { request } = event;
  const caught: CaughtRequest = {
    url: request.url,
    method: request.method,
    headers: [...request.headers],
    body: request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer(),
  };
  for (const client of await candidates(event.clientId)) {
    const response = await ask(client, caught, request.signal);
    if (response) return response;
    serving.delete(client.id);
  }
  return unavailable();
}

/** Tabs that said they answer (the caller's own first), then the others. */
async function candidates(callerId: string): Promise<Client[]> {
  const all = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const rank = (client: Client) => (serving.has(client.id) ? 0 : 2) + (client.id === callerId ? 0 : 1);
  return [...all].sort((a, b) => rank(a) - rank(b));
}

/** The tab's response; undefined when it did not take the request in time, or went away first. */
function ask(client: Client, request: CaughtRequest, signal: AbortSignal): Promise<Response | undefined> {
  const channel = new MessageChannel();
  const port = channel.port1;
  const stopWatching = new AbortController();
  return new Promise<Response | undefined>((resolve) => {
    const settle = (response: Response | undefined) => {
      clearTimeout(timer);
      stopWatching.abort();
      signal.removeEventListener('abort', onAbort);
      if (!response) port.close();
      resolve(response);
    };
    const timer = setTimeout(() => settle(undefined), ACCEPT_MS);
    const onAbort = () => port.postMessage({ type: 'abort' } satisfies ServiceWorkerAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    port.onmessage = ({ data }: MessageEvent<ServiceWorkerAnswer>) => {
      if (data.type === 'accepted') {
        clearTimeout(timer);
        // The tab holds this lock while it lives: granted here means it closed before answering.
        void navigator.locks
          .request(data.lock, { signal: stopWatching.signal }, () => settle(unavailable()))
          .catch(() => undefined); // aborted once the response came
        return;
      }
      settle(new Response(data.body, { status: data.status, statusText: data.statusText, headers: data.headers }));
    };
    const message: ServiceWorkerRequestMessage = { type: 'zstream:serve', request };
    client.postMessage(message, [channel.port2]);
  });
}
