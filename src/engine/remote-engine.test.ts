// The remote engine (pass-through) over a fake upstream: what it sends, and that zstream's own
// options never reach the upstream's request body (request-options.ts).
import { describe, expect, it } from 'vitest';
import { RemoteEngine } from './remote-engine.js';
import { generationParams, splitRequestOptions } from './request-options.js';

const SSE = [
  { choices: [{ delta: { content: 'Hi' }, finish_reason: null }] },
  { choices: [{ delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
].map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';

function upstream() {
  const bodies: unknown[] = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)));
    return new Response(SSE, { headers: { 'content-type': 'text/event-stream' } });
  };
  return { bodies, engine: new RemoteEngine({ baseURL: 'https://up.test/v1', when: 'always', model: 'up-model', fetch }) };
}

describe('request options', () => {
  it('split into OpenAI parameters and what zstream keeps', () => {
    const signal = new AbortController().signal;
    const options = { temperature: 0.5, stop: ['x'], max_tokens: 3, signal, stallTimeoutMs: 100, onToken: () => {} };
    expect(splitRequestOptions(options)).toEqual({ params: { temperature: 0.5, stop: ['x'], max_tokens: 3 }, signal, limits: { stallTimeoutMs: 100 } });
    expect(generationParams({ seed: 1, top_p: undefined, ...{ extra: true } })).toEqual({ seed: 1 });
  });
});

describe('RemoteEngine', () => {
  it('sends OpenAI parameters only: never stallTimeoutMs, the signal or onToken', async () => {
    const { engine, bodies } = upstream();
    const signal = new AbortController().signal;
    expect(await engine.chat([{ role: 'user', content: 'Hi' }], { temperature: 0, stallTimeoutMs: 50, signal, onToken: () => {} })).toMatchObject({ text: 'Hi' });
    const parts: string[] = [];
    for await (const part of engine.chatStream([{ role: 'user', content: 'Hi' }], { max_tokens: 2, stallTimeoutMs: 50 })) parts.push(part);
    expect(parts).toEqual(['Hi']);
    await (await engine.generate({ prompt: 'Once', seed: 3 })).cancel();
    const common = { model: 'up-model', stream: true, stream_options: { include_usage: true } };
    expect(bodies).toEqual([
      { messages: [{ role: 'user', content: 'Hi' }], temperature: 0, ...common },
      { messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2, ...common },
      { prompt: 'Once', seed: 3, ...common },
    ]);
  });
});

// Found by review: a base URL's query (Azure's api-version) swallowed the path, and with configured
// headers the client's other credential headers still went upstream.
describe('RemoteEngine: where requests go', () => {
  function recording(options: { baseURL: string; headers?: Record<string, string> }) {
    const sent: Array<{ url: string; headers: Headers; credentials: RequestCredentials | undefined }> = [];
    const fetch = async (url: RequestInfo | URL, init?: RequestInit) => {
      sent.push({ url: String(url), headers: new Headers(init?.headers), credentials: init?.credentials });
      return new Response(SSE, { headers: { 'content-type': 'text/event-stream' } });
    };
    return { sent, engine: new RemoteEngine({ ...options, when: 'always', model: 'up-model', fetch }) };
  }

  it("puts the path under the base's path and keeps the base's query, then the client's", async () => {
    const { sent, engine } = recording({ baseURL: 'https://az.test/openai/deployments/gpt4o/?api-version=2024-06-01' });
    await engine.chat([{ role: 'user', content: 'Hi' }]);
    await engine.serve(new Request('https://api.openai.com/v1/models?limit=2'), '/models');
    expect(sent.map((s) => s.url)).toEqual([
      'https://az.test/openai/deployments/gpt4o/chat/completions?api-version=2024-06-01',
      'https://az.test/openai/deployments/gpt4o/models?api-version=2024-06-01&limit=2',
    ]);
  });

  it("with configured headers, none of the client's credentials go upstream; without, the request is as sent", async () => {
    const client = { authorization: 'Bearer client', 'api-key': 'k', 'x-api-key': 'x', 'openai-organization': 'o', 'openai-project': 'p', 'x-trace': 't' };
    const request = () => new Request('https://api.openai.com/v1/models', { headers: client, credentials: 'omit' });
    const configured = recording({ baseURL: 'https://up.test/v1', headers: { authorization: 'Bearer configured' } });
    await configured.engine.serve(request(), '/models');
    expect(Object.fromEntries(configured.sent[0]!.headers)).toEqual({ authorization: 'Bearer configured', 'x-trace': 't' });
    expect(configured.sent[0]!.credentials).toBe('omit');
    const plain = recording({ baseURL: 'https://up.test/v1' });
    await plain.engine.serve(request(), '/models');
    expect(Object.fromEntries(plain.sent[0]!.headers)).toEqual(client);
  });
});
