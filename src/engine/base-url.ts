// URLs as the page means them: the shim's base URLs and a remote engine's upstream.

/** Relative URLs resolve against the page; where there is none (Node, Deno), URLs must be absolute. */
export const pageURL = (): string | undefined => globalThis.location?.href;

/** An absolute base URL without its trailing slash, so `base + '/chat/completions'` is the route. */
export const resolveBaseURL = (url: string): string => new URL(url, pageURL()).href.replace(/\/+$/, '');
