// The SharedWorker's model and its per-tab sessions, with a scripted backend: one load for every
// tab, progress for each tab that waits, each tab's news under its own ids, a tab that is gone has
// its requests cancelled (KV cache freed) while the others go on, and the worker ends after the last.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoadOptions, LoadProgress, WorkerListener } from '../src/shared/protocol.js';
import { scriptedBackend } from '../test/scripted-backend.js';
import type { Backend } from './backend.js';

const loads = vi.hoisted(() => ({ count: 0, release: (): void => {}, report: (_p: LoadProgress): void => {} }));

/** A backend whose generations never end by themselves: each holds the model until cancelled (a prompt 'eos' ends at once). */
const { backend: endless } = scriptedBackend(
  (request) => ('messages' in request && request.messages[0]?.content === 'eos' ? [] : forever('a')),
  { promptTokens: 1, contextLength: 1000 },
);
function* forever(text: string): Generator<string> {
  for (;;) yield text;
}

vi.mock('./backends.js', () => ({
  loadBackend: (_options: LoadOptions, report: (progress: LoadProgress) => void) => {
    loads.count++;
    loads.report = report;
    return new Promise<Backend>((resolve) => (loads.release = () => resolve(endless)));
  },
}));

const { SharedModel } = await import('./shared-model.js');
const { WorkerSession } = await import('./shared-session.js');
const { ModelWorker } = await import('./model-worker.js');

/** Web Locks as the worker sees them: its own life locks are granted at once; a tab's lock when the tab lets go. */
const tabLocks = new Map<string, () => void>();
beforeEach(() => {
  loads.count = 0;
  tabLocks.clear();
  vi.stubGlobal('navigator', {
    locks: {
      request: (name: string, callback: () => unknown) =>
        name.startsWith('tab') ? new Promise((done) => tabLocks.set(name, () => done(callback()))) : Promise.resolve(callback()),
    },
  });
});
afterEach(() => vi.unstubAllGlobals());

const LOAD = { model: { backend: 'transformers' }, device: 'wasm' } as unknown as LoadOptions;

function recorder() {
  const news: string[] = [];
  const listener: WorkerListener = {
    started: (id) => news.push(`started ${id}`),
    released: (id) => news.push(`released ${id}`),
    first: (id, batch) => news.push(`first ${id} ${batch.map((event) => event.type).join('+')}`),
    deviceLost: (message) => news.push(`deviceLost ${message}`),
    backendFailed: (message) => news.push(`backendFailed ${message}`),
  };
  return { news, listener };
}

async function tab(model: InstanceType<typeof SharedModel>, name: string) {
  const session = new WorkerSession(model);
  const { news, listener } = recorder();
  await session.connect(`life-${name}`, listener, `tab-${name}`);
  return { session, news, leave: () => tabLocks.get(`tab-${name}`)!() };
}

/** The backend's loader has been called (ModelWorker.load awaits before it calls it). */
const loadStarted = () => vi.waitFor(() => expect(loads.count).toBeGreaterThan(0));

describe('SharedModel', () => {
  it('loads once for every tab; a tab that attaches mid-load hears the progress so far', async () => {
    const model = new SharedModel(new ModelWorker(), () => {});
    const [a, b] = [await tab(model, 'a'), await tab(model, 'b')];
    const heard = { a: [] as string[], b: [] as string[] };
    const loadA = a.session.load(LOAD, (p) => heard.a.push(p.phase));
    await loadStarted();
    loads.report({ phase: 'download', loaded: 1, total: 2 });
    const loadB = b.session.load(LOAD, (p) => heard.b.push(p.phase));
    loads.release();
    const [infoA, infoB] = await Promise.all([loadA, loadB]);
    expect(loads.count).toBe(1);
    expect(infoB).toEqual(infoA);
    expect(heard).toEqual({ a: ['download'], b: ['download'] });
    const later: string[] = [];
    await (await tab(model, 'c')).session.load(LOAD, (p) => later.push(p.phase));
    expect(later).toEqual([]);
    expect(loads.count).toBe(1);
  });

  it("routes each request's news to its tab under the tab's own id, and frees a gone tab's requests at once", async () => {
    const model = new SharedModel(new ModelWorker(), () => {});
    const [a, b] = [await tab(model, 'a'), await tab(model, 'b')];
    const loading = a.session.load(LOAD);
    await loadStarted();
    loads.release();
    await loading;
    const options = { id: 1, transfer: false, runAhead: 1 };
    await a.session.generate({ messages: [] }, options);
    await b.session.generate({ messages: [] }, options); // the same id in another tab
    expect(await a.session.pull(1)).toEqual({ type: 'delta', text: 'a', tokens: 1 });
    expect(a.news).toEqual(['started 1']);
    expect(b.news).toEqual([]);
    expect(await b.session.stats()).toMatchObject({ openKvCaches: 1, connections: 2 });
    a.leave(); // tab A closed mid-stream
    await vi.waitFor(async () => expect(await b.session.stats()).toMatchObject({ connections: 1 }));
    expect(await b.session.pull(1)).toEqual({ type: 'delta', text: 'a', tokens: 1 }); // B got the model
    expect(b.news).toEqual(['started 1']);
    expect(a.news).toEqual(['started 1']); // a gone tab hears nothing more
    await b.session.cancel(1);
    expect(await b.session.stats()).toMatchObject({ openKvCaches: 0, running: 0 });
    expect(b.news).toEqual(['started 1', 'released 1']);
  });

  it("sends a transferred stream's first batch to its tab under the tab's id, even when the request let go before its one event", async () => {
    const model = new SharedModel(new ModelWorker(), () => {});
    const a = await tab(model, 'a');
    const loading = a.session.load(LOAD);
    await loadStarted();
    loads.release();
    await loading;
    const handle = await a.session.generate({ messages: [{ role: 'user', content: 'eos' }] }, { id: 7, transfer: true, runAhead: 2 });
    expect(handle).toMatchObject({ kind: 'stream', firstApart: true });
    await vi.waitFor(() => expect(a.news).toEqual(['started 7', 'released 7', 'first 7 done']));
    if (handle.kind === 'stream') await handle.stream.cancel();
  });

  it('tells every tab of a lost device, then ends the worker; ends it too once the last tab has gone', async () => {
    vi.useFakeTimers();
    try {
      const end = vi.fn();
      const model = new SharedModel(new ModelWorker(), end);
      const [a, b] = [await tab(model, 'a'), await tab(model, 'b')];
      a.leave();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(end).not.toHaveBeenCalled(); // B is still there
      b.leave();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(end).not.toHaveBeenCalled(); // it lingers a moment for a tab that reloads
      await vi.advanceTimersByTimeAsync(1_500);
      expect(end).toHaveBeenCalledTimes(1);

      const end2 = vi.fn();
      const model2 = new SharedModel(new ModelWorker(), end2);
      const [c, d] = [await tab(model2, 'c'), await tab(model2, 'd')];
      // What ModelWorker does when its GPU device is lost (worker/model-worker.ts).
      (model2.worker as unknown as { listener: WorkerListener }).listener.deviceLost('gone');
      expect(c.news).toEqual(['deviceLost gone']);
      expect(d.news).toEqual(['deviceLost gone']);
      expect(end2).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
