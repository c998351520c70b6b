// transformers.js fetches every model file through `env.fetch`. Where an app's bundler serves the
// embedded model's files under new names (LoadOptions.assetURLs, made by src/assets.ts), this fetch
// asks for each file at the URL it is served at; other URLs pass through unchanged.
type ModelFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export function fetchRenamedFiles(assetURLs: Record<string, string> | undefined): ModelFetch {
  if (!assetURLs) return (input, init) => fetch(input, init);
  return (input, init) => {
    const url = new URL(input, self.location.href).href;
    return fetch(assetURLs[url] ?? input, init);
  };
}
