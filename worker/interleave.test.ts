// Several generations on one scheduler (worker/scheduler.ts): they interleave decode steps, a
// paused reader holds up no one, a limit on KV caches queues the rest, and where requests cannot
// interleave an idle reader is preempted.
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../src/shared/protocol.js';
import type { Backend, BackendStep, PreparedGeneration, TokenStream } from './backend.js';
import { createGeneration, type EventSource } from './generation.js';
import { Scheduler } from './scheduler.js';

const STORY = ['Once', ' upon', ' a', ' time', ',', ' the', ' end', '.'];

/** A backend whose every request tells STORY; it logs which request stepped, and fails if steps overlap. */
function storyBackend() {
  const log = { steps: [] as string[], overlaps: 0, open: 0 };
  let stepping = false;
  const backend: Backend = {
    info: { id: 'story', backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: 100 },
    async prepare(request): Promise<PreparedGeneration> {
      const name = 'prompt' in request ? request.prompt : '?';
      return {
        promptTokens: 3,
        maxNewTokens: 97,
        start(): TokenStream {
          log.open++;
          let i = 0;
          return {
            async next(): Promise<BackendStep> {
              if (stepping) log.overlaps++;
              stepping = true;
              await new Promise((resolve) => setTimeout(resolve, 0)); // the device is busy for a while
              stepping = false;
              log.steps.push(name);
              const text = STORY[i++];
              return text === undefined ? { kind: 'end', reason: 'stop' } : { kind: 'text', text };
            },
            async close() {
              log.open--;
              return undefined;
            },
          };
        },
      };
    },
    async warmUp() {},
    async unload() {},
  };
  return { backend, log };
}

async function readAll(source: EventSource, onEvent: (event: StreamEvent) => void = () => {}): Promise<string> {
  let text = '';
  for (let e = await source.pull(); e; e = await source.pull()) {
    onEvent(e);
    if (e.type === 'delta') text += e.text;
    if (e.type === 'error') throw new Error(e.error.message);
  }
  return text;
}

describe('interleaved generations', () => {
  it('two requests read together take turns, one step at a time, and each gets the text it gets alone', async () => {
    const { backend, log } = storyBackend();
    const scheduler = new Scheduler();
    const a = await createGeneration(backend, { prompt: 'a' }, scheduler);
    const b = await createGeneration(backend, { prompt: 'b' }, scheduler);
    const firstTokens: string[] = [];
    const done: string[] = [];
    const read = (name: string, source: EventSource) =>
      readAll(source, (e) => {
        if (e.type === 'delta' && !firstTokens.includes(name)) firstTokens.push(name);
        if (e.type === 'done') done.push(name);
      });
    const [textA, textB] = await Promise.all([read('a', a), read('b', b)]);
    expect(textA).toBe(STORY.join(''));
    expect(textB).toBe(STORY.join(''));
    expect(log.overlaps).toBe(0);
    expect(log.steps.slice(0, 6).join('')).toBe('ababab');
    // Both had their first token before either finished.
    expect(firstTokens).toEqual(['a', 'b']);
    expect(log.steps.indexOf('b')).toBeLessThan(2);
    expect(log.open).toBe(0);
  });

  it('a request whose reader stopped reading holds up no one', async () => {
    const { backend, log } = storyBackend();
    const scheduler = new Scheduler();
    const paused = await createGeneration(backend, { prompt: 'p' }, scheduler);
    expect(await paused.pull()).toMatchObject({ type: 'delta', text: 'Once' });
    const other = await createGeneration(backend, { prompt: 'o' }, scheduler);
    expect(await readAll(other)).toBe(STORY.join(''));
    expect(log.steps.filter((s) => s === 'p')).toHaveLength(1);
    expect(scheduler.running).toBe(1);
    expect(await readAll(paused)).toBe(STORY.slice(1).join(''));
  });

  it('beyond maxRunning, a request waits (FIFO) until one of the running requests lets go', async () => {
    const { backend, log } = storyBackend();
    const scheduler = new Scheduler({ maxRunning: 2 });
    const running = [await createGeneration(backend, { prompt: '1' }, scheduler), await createGeneration(backend, { prompt: '2' }, scheduler)];
    for (const source of running) await source.pull(); // both hold a KV cache, their readers paused
    const third = await createGeneration(backend, { prompt: '3' }, scheduler);
    let thirdFirst: StreamEvent | undefined;
    const waiting = third.pull().then((e) => (thirdFirst = e));
    const fourth = await createGeneration(backend, { prompt: '4' }, scheduler);
    const fourthWaiting = fourth.pull();
    for (let i = 0; i < 4; i++) await running[0]!.pull(); // steps run, but not for the waiting ones
    expect(log.steps.filter((s) => s === '3' || s === '4')).toEqual([]);
    expect(thirdFirst).toBeUndefined();
    expect(scheduler.queued).toBe(2);
    expect(await readAll(running[0]!)).toBe(STORY.slice(5).join(''));
    await waiting;
    expect(thirdFirst).toMatchObject({ type: 'delta', text: 'Once' });
    expect(log.open).toBe(2);
    await running[1]!.cancel();
    expect(await fourthWaiting).toMatchObject({ type: 'delta', text: 'Once' });
    expect(scheduler.running).toBe(2);
  });

  it('an idle reader is preempted after preemptIdleMs when another waits: it gets what was ready, then request_timeout', async () => {
    const { backend, log } = storyBackend();
    const scheduler = new Scheduler({ maxRunning: 1, preemptIdleMs: 30 });
    const idle = await createGeneration(backend, { prompt: 'i' }, scheduler);
    expect(await idle.pull()).toMatchObject({ text: 'Once' });
    const waiting = await createGeneration(backend, { prompt: 'w' }, scheduler);
    const started = performance.now();
    expect(await readAll(waiting)).toBe(STORY.join(''));
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(await idle.pull()).toMatchObject({ type: 'error', error: { code: 'request_timeout' } });
    expect(await idle.pull()).toBeUndefined();
    expect(log.open).toBe(0);
  });

  it('a reader that keeps reading is never preempted', async () => {
    const { backend } = storyBackend();
    const scheduler = new Scheduler({ maxRunning: 1, preemptIdleMs: 1 });
    const reading = await createGeneration(backend, { prompt: 'r' }, scheduler);
    const waiting = await createGeneration(backend, { prompt: 'w' }, scheduler);
    const [first, second] = await Promise.all([readAll(reading), readAll(waiting)]);
    expect([first, second]).toEqual([STORY.join(''), STORY.join('')]);
  });
});
