// One owner per HTTP request, as openai-node's Stream owns its AbortController: the owner's
// signal is the only one the request's handler and the engine see; it aborts when the client's
// `request.signal` aborts or when the response body is cancelled. The streams between the engine
// and the body are derived (derived-stream.ts) and hold no listeners, so the owner's link to the
// client's signal is the request's one listener, removed once the request is over whichever way
// it ends: body read to the end, body errored (a read rejected), body cancelled, or no body.
import { abortReason } from '../shared/errors.js';

export class RequestOwner {
  private readonly controller = new AbortController();
  private readonly unlink: () => void;

  constructor(clientSignal: AbortSignal) {
    const onAbort = () => this.controller.abort(abortReason(clientSignal));
    clientSignal.addEventListener('abort', onAbort);
    this.unlink = () => clientSignal.removeEventListener('abort', onAbort);
  }

  /** Aborts when the client aborts or cancels the body: everything the request started stops. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `request` with the owner's signal in place of the client's, for the handler. */
  own(request: Request): Request {
    return new Request(request, { signal: this.signal });
  }

  /** The request is over: the client's signal no longer reaches it. */
  end(): void {
    this.unlink();
  }

  /**
   * `response` with a body that behaves as a real fetch's (https://fetch.spec.whatwg.org/#abort-fetch):
   * it errors with the abort reason once the request is aborted, even if chunks were ready, and
   * cancelling it aborts the request. The request ends with its body. An answer that comes after
   * the abort is not given: it rejects with the abort, as a real fetch does.
   */
  respond(response: Response): Response {
    const source = response.body;
    if (this.signal.aborted) {
      this.end();
      source?.cancel(this.signal.reason).catch(() => {}); // nobody will read it; its failure is this abort
      throw this.signal.reason;
    }
    if (!source) {
      this.end();
      return response;
    }
    const reader = source.getReader();
    const { signal } = this;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          // respond() is never called with the signal aborted (above): this listener sees the abort.
          signal.addEventListener('abort', () => {
            this.end();
            controller.error(signal.reason);
            // The source has errored too when the engine saw the abort first; that is this same abort.
            reader.cancel(signal.reason).catch((error: unknown) => {
              if (error !== signal.reason) throw error;
            });
          });
        },
        pull: async (controller) => {
          try {
            const { value, done } = await reader.read();
            if (signal.aborted) return; // the abort errored the body already
            if (!done) return controller.enqueue(value);
            this.end();
            controller.close();
          } catch (error) {
            this.end();
            throw error;
          }
        },
        cancel: (reason) => this.controller.abort(reason),
      },
      new CountQueuingStrategy({ highWaterMark: 0 }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }
}
