// One loaded model at a time, and the official `openai` SDK pointed at it through createFetch:
// the demo talks to the model exactly as existing client code talks to a server.
import OpenAI from 'openai';
import { createEngine, createFetch, type DevicePreference, type Engine, type LoadProgress } from '../src/index.js';

export interface Loaded {
  engine: Engine;
  client: OpenAI;
  /** Milliseconds from the start of the load until the model was ready. */
  loadMs: number;
}

export interface LoadRequest {
  model: string;
  device: DevicePreference;
  /** One model for every tab (a SharedWorker), or a worker of this tab's own. */
  shared: boolean;
  onProgress: (progress: LoadProgress) => void;
}

/** The endpoint's base URL: `v1/` next to the page, so it works from any folder of a static host. */
const BASE_URL = new URL('v1', location.href).href;

export class ModelSession {
  private current: Promise<Loaded> | undefined;
  private generation = 0;

  /** The model being loaded or loaded; rejects with the load error. */
  get ready(): Promise<Loaded> {
    return this.current ?? Promise.reject(new Error('No model has been chosen.'));
  }

  /** Replaces the model. An older load that is superseded reports no more progress. */
  load(request: LoadRequest): Promise<Loaded> {
    const previous = this.current;
    const id = ++this.generation;
    const started = performance.now();
    // The old worker goes as soon as it is loaded: at once, or when a load still under way ends
    // (createEngine cannot be cancelled, and the new choice should not wait for it).
    previous?.then((old) => old.engine.dispose(), () => undefined);
    this.current = (async () => {
      const engine = await createEngine({
        model: request.model,
        device: request.device,
        shared: request.shared,
        onProgress: (p) => {
          if (id === this.generation) request.onProgress(p);
        },
      });
      if (id !== this.generation) {
        engine.dispose();
        throw new DOMException('A newer model was chosen.', 'AbortError');
      }
      const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'local', dangerouslyAllowBrowser: true, fetch: createFetch(engine, { baseURL: BASE_URL }) });
      return { engine, client, loadMs: performance.now() - started };
    })();
    return this.current;
  }
}
