// createFetch over a fake engine, as the HTTP-level unit tests use it.
import OpenAI from 'openai';
import { createFetch, type FetchOptions } from '../src/http/fetch.js';
import { fakeEngine, type FakeEngine } from './fake-engine.js';

export const BASE = 'http://localhost:8000/v1';

export function serve(engine: FakeEngine = fakeEngine(), options: Omit<FetchOptions, 'baseURL'> = {}) {
  const fetch = createFetch(engine, { baseURL: BASE, ...options });
  const post = (path: string, body: unknown, init: RequestInit = {}) =>
    fetch(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
  const client = new OpenAI({ baseURL: BASE, apiKey: 'x', fetch });
  return { engine, fetch, post, client };
}
