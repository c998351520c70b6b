// One owner per request: the client's signal and the body's cancel both abort it, its signal is the
// one the handler (and so the engine) sees, and its one listener on the client's signal is removed
// however the request ends.
import { describe, expect, it } from 'vitest';
import { RequestOwner } from './request-owner.js';

/** A client signal that counts the abort listeners on it. */
function clientSignal() {
  const controller = new AbortController();
  const { signal } = controller;
  let listeners = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (...args: Parameters<typeof add>) => {
    listeners++;
    add(...args);
  };
  signal.removeEventListener = (...args: Parameters<typeof remove>) => {
    listeners--;
    remove(...args);
  };
  return { controller, signal, listeners: () => listeners };
}

/** A body that hands out `chunks`, then fails with `failure` if given, else ends; it records a cancel. */
function source(chunks: string[], failure?: Error) {
  const seen = { cancelled: undefined as unknown, pulls: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulls++;
      const next = chunks.shift();
      if (next !== undefined) controller.enqueue(new TextEncoder().encode(next));
      else if (failure) controller.error(failure);
      else controller.close();
    },
    cancel: (reason) => void (seen.cancelled = reason),
  }, new CountQueuingStrategy({ highWaterMark: 0 }));
  return { response: new Response(body, { status: 201, headers: { 'x-a': 'b' } }), seen };
}

describe('RequestOwner', () => {
  it('gives the handler its own signal, and keeps status, headers and bytes', async () => {
    const client = clientSignal();
    const owner = new RequestOwner(client.signal);
    const owned = owner.own(new Request('http://x/v1/models', { method: 'POST', body: 'hi', signal: client.signal }));
    expect(owned.signal).not.toBe(client.signal);
    expect(await owned.text()).toBe('hi');
    const response = owner.respond(source(['a', 'b']).response);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-a')).toBe('b');
    expect(await response.text()).toBe('ab');
  });

  it('the client aborting aborts the owner and errors the body with its reason, even with a chunk ready', async () => {
    const client = clientSignal();
    const owner = new RequestOwner(client.signal);
    const { response, seen } = source(['a', 'b', 'c']);
    const reader = owner.respond(response).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('a');
    const reason = new DOMException('stop', 'AbortError');
    client.controller.abort(reason);
    expect(owner.signal.reason).toBe(reason);
    await expect(reader.read()).rejects.toBe(reason);
    expect(seen.cancelled).toBe(reason);
  });

  it('cancelling the body aborts the owner (the engine stops) and cancels the source', async () => {
    const client = clientSignal();
    const owner = new RequestOwner(client.signal);
    const { response, seen } = source(['a', 'b']);
    const reader = owner.respond(response).body!.getReader();
    await reader.read();
    await reader.cancel('bye');
    expect(owner.signal.aborted).toBe(true);
    expect(owner.signal.reason).toBe('bye');
    expect(seen.cancelled).toBe('bye');
    expect(client.listeners()).toBe(0);
  });

  it('removes its listener on the client signal however the request ends', async () => {
    const ends: Array<[string, (owner: RequestOwner) => Promise<unknown>]> = [
      ['body read to the end', (owner) => owner.respond(source(['a']).response).text()],
      ['a read rejects', (owner) => owner.respond(source(['a'], new Error('lost')).response).text().catch((e: unknown) => e)],
      ['body cancelled', (owner) => owner.respond(source(['a']).response).body!.cancel()],
      ['no body', async (owner) => owner.respond(new Response(null, { status: 204 }))],
      ['the handler failed', async (owner) => owner.end()],
    ];
    for (const [how, end] of ends) {
      const client = clientSignal();
      const owner = new RequestOwner(client.signal);
      expect(client.listeners(), how).toBe(1);
      await end(owner);
      expect(client.listeners(), how).toBe(0);
      client.controller.abort(); // nothing left to abort
      expect(owner.signal.aborted, how).toBe(how === 'body cancelled');
    }
  });

  it('an answer that comes after the abort rejects with it, and its body is cancelled', async () => {
    const client = clientSignal();
    const owner = new RequestOwner(client.signal);
    client.controller.abort('late');
    const { response, seen } = source(['a']);
    expect(() => owner.respond(response)).toThrow('late');
    await Promise.resolve();
    expect(seen.cancelled).toBe('late');
    expect(client.listeners()).toBe(0);
    expect(() => owner.respond(new Response(null, { status: 204 }))).toThrow('late');
  });

  it('a source that errored with the same abort first (the engine saw it) is no second failure', async () => {
    const client = clientSignal();
    const owner = new RequestOwner(client.signal);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        owner.signal.addEventListener('abort', () => controller.error(owner.signal.reason));
      },
    });
    const reader = owner.respond(new Response(body)).body!.getReader();
    const read = reader.read();
    client.controller.abort('gone');
    await expect(read).rejects.toBe('gone');
    // An unexpected failure of the source's cancel would surface as an unhandled rejection here.
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
});
