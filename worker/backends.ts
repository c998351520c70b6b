// Picks the backend the registry's spec names. Each backend is imported on first use, so an app
// on transformers.js never downloads WebLLM's runtime and the other way round.
import type { BackendName, LoadOptions, LoadProgress } from '../src/shared/protocol.js';
import type { Backend, BackendLoader } from './backend.js';

const LOADERS: Record<BackendName, () => Promise<BackendLoader>> = {
  transformers: async () => (await import('./transformers/load.js')).loadTransformersBackend,
  webllm: async () => (await import('./webllm/load.js')).loadWebLLMBackend,
};

export async function loadBackend(options: LoadOptions, report: (progress: LoadProgress) => void): Promise<Backend> {
  const load = await LOADERS[options.model.backend]();
  const backend = await load(options, report);
  report({ phase: 'ready', loaded: 0, total: 0 });
  return backend;
}
