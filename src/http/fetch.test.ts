// Routing, models, strict mode and errors before streaming, through createFetch over a fake
// engine: OpenAI's status and body for each, and `fetch` rejecting only where a real one would.
import { APIError, NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { fakeEngine } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { BASE, serve } from '../../test/serve.js';
import { ZStreamError } from '../shared/errors.js';
import { createFetch } from './fetch.js';

const MESSAGES = [{ role: 'user', content: 'Hi' }];

async function errorOf(res: Response) {
  const body = await res.json();
  expect(schemaErrors('ErrorResponse', body)).toEqual([]);
  return { status: res.status, ...body.error };
}

describe('routes', () => {
  it('an unknown route is a 404, a wrong method a 405 with Allow', async () => {
    const { fetch, post } = serve();
    expect(await errorOf(await post('/embeddings', { model: 'm', input: 'x' }))).toEqual({
      status: 404, message: 'Invalid URL (POST /v1/embeddings)', type: 'invalid_request_error', param: null, code: null,
    });
    const wrongMethod = await fetch(`${BASE}/chat/completions`);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await errorOf(wrongMethod)).toMatchObject({ status: 405, message: 'Invalid method for URL (GET /v1/chat/completions)' });
    const postModels = await post('/models', {});
    expect(postModels.headers.get('allow')).toBe('GET');
    expect(postModels.status).toBe(405);
  });

  it('quotes at most 100 characters of a long path or model name', async () => {
    const { fetch } = serve(fakeEngine(), { strictModel: true });
    const long = 'p'.repeat(100_000);
    const notFound = await errorOf(await fetch(`${BASE}/${long}`));
    expect(notFound.message).toBe(`Invalid URL (GET ${`/v1/${long}`.slice(0, 100)}…)`);
    const model = await errorOf(await fetch(`${BASE}/models/${long}`));
    expect(model.message).toBe(`The model \`${'p'.repeat(100)}…\` does not exist or you do not have access to it.`);
  });

  it('requests outside the base URL go to the real fetch untouched', async () => {
    const seen: string[] = [];
    const passthrough = async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response('elsewhere');
    };
    const fetch = createFetch(fakeEngine(), { baseURL: BASE, fetch: passthrough });
    expect(await (await fetch('http://localhost:8000/v2/chat/completions', { method: 'POST' })).text()).toBe('elsewhere');
    expect(await (await fetch('http://localhost:8000/v1x/models')).text()).toBe('elsewhere');
    expect(seen).toEqual(['http://localhost:8000/v2/chat/completions', 'http://localhost:8000/v1x/models']);
  });

  // Found by review: an input that is no URL or Request of this realm (an iframe's URL, a polyfill,
  // a String object) was read as a Request with no url, so a request for the model went to the network.
  it("answers a URL from another realm, a URL polyfill and a String object itself, as fetch would read them", async () => {
    const network: string[] = [];
    const fetch = createFetch(fakeEngine(), { baseURL: BASE, fetch: async (input) => (network.push(String(input)), new Response('network')) });
    const href = 'http://localhost:8000/v1/models';
    const polyfill = { href, toString: () => href };
    for (const input of [polyfill, new String(href)]) {
      const res = await fetch(input as unknown as URL);
      expect(await res.json()).toMatchObject({ object: 'list' });
    }
    expect(network).toEqual([]);
  });
});

describe('models', () => {
  it('GET /models lists the loaded model; GET /models/{id} returns it, for any id by default', async () => {
    const { fetch, client } = serve();
    const list = await (await fetch(`${BASE}/models`)).json();
    expect(schemaErrors('ListModelsResponse', list)).toEqual([]);
    expect(list.data.map((m: { id: string }) => m.id)).toEqual(['fake-model']);
    const model = await (await fetch(`${BASE}/models/gpt-4o`)).json();
    expect(schemaErrors('Model', model)).toEqual([]);
    expect(model).toMatchObject({ id: 'fake-model', object: 'model', owned_by: 'zstream' });
    expect((await client.models.list()).data[0]?.id).toBe('fake-model');
  });

  it('strictModel: other names get OpenAI\'s 404 model_not_found; ids with a slash work encoded or not', async () => {
    const { fetch, post, client } = serve(fakeEngine({ id: 'org/tiny' }), { strictModel: true });
    const notFound = {
      status: 404, type: 'invalid_request_error', param: null, code: 'model_not_found',
      message: 'The model `gpt-4o` does not exist or you do not have access to it.',
    };
    expect(await errorOf(await post('/chat/completions', { model: 'gpt-4o', messages: MESSAGES }))).toEqual(notFound);
    expect(await errorOf(await post('/completions', { model: 'gpt-4o', prompt: 'x' }))).toEqual(notFound);
    expect(await errorOf(await fetch(`${BASE}/models/gpt-4o`))).toEqual(notFound);
    expect((await post('/chat/completions', { model: 'org/tiny', messages: MESSAGES })).status).toBe(200);
    expect((await fetch(`${BASE}/models/org/tiny`)).status).toBe(200);
    expect((await client.models.retrieve('org/tiny')).id).toBe('org/tiny'); // the SDK sends org%2Ftiny
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('errors before streaming', () => {
  it('invalid JSON is a 400 with OpenAI\'s message', async () => {
    const { post } = serve();
    expect(await errorOf(await post('/chat/completions', '{not json'))).toMatchObject({
      status: 400, type: 'invalid_request_error', param: null, code: null,
      message: expect.stringContaining('We could not parse the JSON body of your request.'),
    });
    expect(await errorOf(await post('/chat/completions', '[1]'))).toMatchObject({ status: 400, code: 'invalid_type' });
  });

  it('a wrong type is a 400 naming the field, streamed or not', async () => {
    const { post } = serve();
    for (const stream of [false, true]) {
      expect(await errorOf(await post('/chat/completions', { model: 'm', messages: MESSAGES, stream, temperature: 'hot' }))).toEqual({
        status: 400, type: 'invalid_request_error', param: 'temperature', code: 'invalid_type',
        message: "Invalid type for 'temperature': expected a decimal, but got a string instead.",
      });
    }
  });

  it('what the engine rejects before the first token is that HTTP error, even with stream: true', async () => {
    // The shim renders the engine's error as it is: its status, code, param and message (the engine's
    // own context check is tested where it lives: worker/ and e2e/conformance.spec.ts).
    const failure = new ZStreamError('context_length_exceeded', "This model's maximum context length is 2048 tokens.", { param: 'messages' });
    const { post } = serve(fakeEngine({ failure }));
    for (const [path, body] of [['/chat/completions', { model: 'm', messages: MESSAGES, stream: true }], ['/completions', { model: 'm', prompt: 'x', stream: true }]] as const) {
      const res = await post(path, body);
      expect(res.headers.get('content-type'), path).toBe('application/json');
      expect(await errorOf(res), path).toEqual({
        status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages', message: failure.message,
      });
    }
  });

  it('a model that failed to load is a 503 with x-should-retry: false, so the SDK does not retry', async () => {
    const failure = new ZStreamError('model_load_failed', 'Could not load onnx/model.onnx: 404 Not Found');
    const { post, client, engine } = serve(fakeEngine({ failure }));
    const res = await post('/chat/completions', { model: 'm', messages: MESSAGES, stream: true });
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(await errorOf(res)).toEqual({
      status: 503, type: 'server_error', param: null, code: 'model_load_failed', message: 'Could not load onnx/model.onnx: 404 Not Found',
    });
    engine.requests.length = 0;
    const call = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(call).rejects.toMatchObject({ status: 503 });
    await expect(call).rejects.toBeInstanceOf(APIError);
    expect(engine.requests).toHaveLength(1);
  });
});

describe('fetch rejects only where a real fetch would', () => {
  it('an aborted signal rejects with AbortError, before the call and while reading the body', async () => {
    const { post } = serve();
    const body = { model: 'm', messages: MESSAGES, stream: true };
    await expect(post('/chat/completions', body, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const controller = new AbortController();
    const res = await post('/chat/completions', body, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('cancelling the body aborts the one signal the engine was given; a body read to the end leaves it alone', async () => {
    const { post, engine } = serve();
    const res = await post('/chat/completions', { model: 'm', messages: MESSAGES, stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    expect(engine.signals[0]?.aborted).toBe(false);
    await reader.cancel();
    expect(engine.signals[0]?.aborted).toBe(true);
    await (await post('/chat/completions', { model: 'm', messages: MESSAGES, stream: true })).text();
    expect(engine.signals[1]?.aborted).toBe(false);
  });

  it('every error response resolves', async () => {
    const { post, fetch } = serve();
    const responses = await Promise.all([
      post('/chat/completions', 'nope'), post('/nowhere', {}), fetch(`${BASE}/completions`), post('/completions', { model: 'm' }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([400, 404, 405, 400]);
  });
});
