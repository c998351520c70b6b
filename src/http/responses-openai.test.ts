// Where the Responses API differs from chat completions in what OpenAI answers: the context
// error names `input`, the Response echoes the request's tier and cache fields, a stored response
// is not streamed again, and hostile inputs (duplicate ids, a "__proto__" key) are read as sent.
import { describe, expect, it } from 'vitest';
import { REPLY, fakeEngine } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { BASE, serve } from '../../test/serve.js';
import { ZStreamError } from '../shared/errors.js';

/** What worker/transformers/backend.ts throws for a chat request that does not fit. */
const TOO_LONG = new ZStreamError(
  'context_length_exceeded',
  "This model's maximum context length is 64 tokens. However, you requested 201 tokens (200 in the messages, 1 in the completion). " +
    'Please reduce the length of the messages or completion.',
  { param: 'messages' },
);

describe('a conversation longer than the context window', () => {
  it('is a 400 naming input, in the Responses API\'s words, streamed or not', async () => {
    for (const stream of [false, true]) {
      const { post } = serve(fakeEngine({ failure: TOO_LONG }));
      const res = await post('/responses', { model: 'm', input: 'a'.repeat(200), stream });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(schemaErrors('ErrorResponse', body)).toEqual([]);
      expect(body.error).toEqual({
        type: 'invalid_request_error', param: 'input', code: 'context_length_exceeded',
        message: "This model's maximum context length is 64 tokens. However, you requested 201 tokens (200 in the input, 1 in the output). " +
          'Please reduce the length of the input or max_output_tokens.',
      });
    }
  });

  it('an error worded otherwise still names input and never messages', async () => {
    const other = new ZStreamError('context_length_exceeded', 'The messages do not fit.', { param: 'messages' });
    const { post } = serve(fakeEngine({ failure: other }));
    const { error } = await (await post('/responses', { model: 'm', input: 'x' })).json();
    expect(error).toMatchObject({ param: 'input', code: 'context_length_exceeded' });
    expect(error.message).not.toMatch(/messages/);
  });
});

describe('the Response echoes', () => {
  it('service_tier, prompt_cache_key, safety_identifier, prompt_cache_retention and text.verbosity', async () => {
    const { post } = serve();
    const sent = { service_tier: 'flex', prompt_cache_key: 'key-1', safety_identifier: 'user-1', prompt_cache_retention: '24h', text: { verbosity: 'low' } };
    const body = await (await post('/responses', { model: 'm', input: 'Hi', ...sent })).json();
    expect(schemaErrors('Response', body)).toEqual([]);
    expect(body).toMatchObject({ ...sent, text: { format: { type: 'text' }, verbosity: 'low' } });
  });

  it('OpenAI\'s defaults when they are not sent: the tier used (default), medium verbosity, nulls', async () => {
    const { post } = serve();
    const body = await (await post('/responses', { model: 'm', input: 'Hi', service_tier: 'auto' })).json();
    expect(schemaErrors('Response', body)).toEqual([]);
    expect(body).toMatchObject({
      service_tier: 'default', prompt_cache_key: null, safety_identifier: null, prompt_cache_retention: null, text: { format: { type: 'text' }, verbosity: 'medium' },
    });
  });

  it('metadata as sent, a "__proto__" key included', async () => {
    const { post } = serve();
    const body = await (await post('/responses', '{"model":"m","input":"Hi","metadata":{"__proto__":"v","a":"b"}}')).json();
    expect(Object.keys(body.metadata)).toEqual(['__proto__', 'a']);
    expect(body.metadata['__proto__']).toBe('v');
  });
});

describe('input items', () => {
  it('an item with only an id is an item reference (ItemReferenceParam: type optional)', async () => {
    const served = serve();
    const first = await (await served.post('/responses', { model: 'm', input: 'Hi' })).json();
    const body = { model: 'm', input: [{ id: first.output[0].id }, { role: 'user', content: 'More' }] };
    expect(schemaErrors('CreateResponse', body)).toEqual([]);
    const res = await served.post('/responses', body);
    expect(res.status).toBe(200);
    expect(served.engine.requests[1]).toEqual({ messages: [{ role: 'assistant', content: REPLY }, { role: 'user', content: 'More' }] });
  });

  it('two items of one id are refused in OpenAI\'s words, so input_items pages always end', async () => {
    const { post, engine } = serve();
    const input = [{ id: 'msg_dup', role: 'user', content: 'a' }, { id: 'msg_dup', role: 'user', content: 'b' }, { role: 'user', content: 'c' }];
    const res = await post('/responses', { model: 'm', input });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      type: 'invalid_request_error', param: 'input', code: null,
      message: 'Duplicate item found with id msg_dup. Remove duplicate items from your input and try again.',
    });
    expect(engine.requests).toEqual([]);
  });
});

describe('GET /responses/{id}?stream=true', () => {
  it('is refused: a stored response cannot be streamed again', async () => {
    const served = serve();
    const { id } = await (await served.post('/responses', { model: 'm', input: 'Hi' })).json();
    const res = await served.fetch(`${BASE}/responses/${id}?stream=true`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(schemaErrors('ErrorResponse', body)).toEqual([]);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'stream', code: 'unsupported_parameter' });
    expect((await served.fetch(`${BASE}/responses/${id}?stream=false`)).status).toBe(200);
  });

  it('openai-node\'s responses.stream({response_id}) raises the error', async () => {
    const served = serve();
    const { id } = await (await served.post('/responses', { model: 'm', input: 'Hi' })).json();
    const error = await served.client.responses.stream({ response_id: id } as never).finalResponse().then(() => null, (e: unknown) => e);
    expect(String(error)).toContain("'stream'");
  });
});
