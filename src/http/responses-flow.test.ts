// The Responses API's stream under flow control, as chat completions': one engine event pulled per
// delta read, an abort that stops generation, keep-alives during a long prefill.
import { describe, expect, it } from 'vitest';
import { fakeEngine } from '../../test/fake-engine.js';
import { parseResponseStream } from '../../test/responses-conformance.js';
import { serve } from '../../test/serve.js';
import type { StreamEvent } from '../shared/protocol.js';

function observedEngine(hold?: number) {
  const engine = fakeEngine();
  const generate = engine.generate.bind(engine);
  const seen = { pulls: 0, cancelled: false as unknown };
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const observed = {
    ...engine,
    async generate(request: Parameters<typeof generate>[0], signal?: AbortSignal) {
      const reader = (await generate(request, signal)).getReader();
      return new ReadableStream<StreamEvent>({
        async pull(controller) {
          if (seen.pulls++ === hold) await held;
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => {
          seen.cancelled = reason ?? true;
          return reader.cancel(reason);
        },
      }, new CountQueuingStrategy({ highWaterMark: 0 }));
    },
  };
  return { engine: observed, seen, release };
}

describe('flow control, as chat completions', () => {
  const decoder = new TextDecoder();

  it('pulls one engine event per delta read (backpressure) and cancelling the body cancels the generation', async () => {
    const { engine, seen } = observedEngine();
    const res = await serve(engine).post('/responses', { model: 'm', input: 'Hi', stream: true });
    const reader = res.body!.getReader();
    for (let i = 0; i < 4; i++) await reader.read(); // created, in_progress, item and part added: no token needed
    expect(seen.pulls).toBe(0);
    const delta = decoder.decode((await reader.read()).value);
    expect(delta).toContain('response.output_text.delta');
    expect(seen.pulls).toBe(1);
    await reader.read();
    expect(seen.pulls).toBe(2);
    await reader.cancel('enough');
    expect(seen.cancelled).toBe('enough');
  });

  it('aborting the request cancels the generation and errors the body', async () => {
    const { engine, seen } = observedEngine();
    const abort = new AbortController();
    const res = await serve(engine).post('/responses', { model: 'm', input: 'Hi', stream: true }, { signal: abort.signal });
    const reader = res.body!.getReader();
    for (let i = 0; i < 5; i++) await reader.read();
    abort.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.cancelled).toBeTruthy();
  });

  it('a reader kept waiting gets keep-alive comments, then the events', async () => {
    const { engine, release } = observedEngine(1);
    const res = await serve(engine, { keepAliveMs: 10 }).post('/responses', { model: 'm', input: 'Hi', stream: true });
    const reader = res.body!.getReader();
    for (let i = 0; i < 5; i++) await reader.read();
    expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
    release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
    const parsed = parseResponseStream(rest);
    expect(parsed.events.at(-1)?.type).toBe('response.completed');
  });
});
