// What crosses between the service worker (worker/service-worker.ts) and the tabs that answer for it
// (src/service-worker/install.ts): types only, no logic.

/** A request the service worker caught under a base URL, as plain data. */
export interface CaughtRequest {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer | null;
}

/** Service worker → tab (with a MessagePort for the answer). */
export type ServiceWorkerRequestMessage = { type: 'zstream:serve'; request: CaughtRequest };

/** Tab → service worker, on the port: the tab took the request, then its response. */
export type ServiceWorkerAnswer =
  /** `lock`: a Web Lock the tab holds while it lives; free, it means the tab is gone. */
  | { type: 'accepted'; lock: string }
  | { type: 'response'; status: number; statusText: string; headers: Array<[string, string]>; body: ReadableStream<Uint8Array> | null };

/** Service worker → tab, on the port: the caller aborted before the response. */
export type ServiceWorkerAbort = { type: 'abort' };

/** Tab → service worker: this tab answers requests (it is tried first). */
export type ServiceWorkerHello = { type: 'zstream:hello' };
