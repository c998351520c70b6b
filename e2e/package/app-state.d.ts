// What e2e/package/app.js leaves on `window` for the spec to read.
export interface AppState {
  status: 'loading' | 'streaming' | 'done' | 'error';
  /** engine.model.device once loaded. */
  device: string | null;
  /** engine.model.fallbackReason once loaded, null when there is none. */
  fallbackReason: string | null;
  /** engine.model.shared once loaded (?shared). */
  shared: boolean | null;
  /** Each non-empty `delta.content`, in order. */
  deltas: string[];
  /** Chunks the openai SDK yielded. */
  chunks: number;
  error: { name: string; code?: string; message: string } | null;
}

declare global {
  interface Window {
    appState?: AppState;
  }
}
