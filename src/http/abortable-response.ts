// A real fetch's response body errors with the signal's reason once the request is aborted, even
// if chunks were ready (https://fetch.spec.whatwg.org/#abort-fetch). The shim's bodies are made by
// route handlers; this gives each of them that behaviour, and cancels the body's source (which
// stops its generation).
import { abortReason } from '../shared/errors.js';

export function abortableResponse(response: Response, signal: AbortSignal): Response {
  const body = response.body;
  if (!body) return response;
  const reader = body.getReader();
  const listening = new AbortController();
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const onAbort = () => {
          const reason = abortReason(signal);
          controller.error(reason);
          // The request's own abort handler may have errored the source first; then cancel rejects
          // with this same abort, which the caller already sees through the body.
          reader.cancel(reason).catch((error: unknown) => {
            if (error !== reason && error !== signal.reason) throw error;
          });
        };
        signal.addEventListener('abort', onAbort, { once: true, signal: listening.signal });
      },
      async pull(controller) {
        const { value, done } = await reader.read();
        if (!done) return controller.enqueue(value);
        listening.abort();
        controller.close();
      },
      cancel: (reason) => {
        listening.abort();
        return reader.cancel(reason);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
}
