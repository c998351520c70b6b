// Stored responses: previous_response_id, item references, GET / DELETE, input_items and their
// pagination, and the store's bound (responses.test.ts has the wire; responses-flow.test.ts the flow).
import { beforeAll, describe, expect, it } from 'vitest';
import { REPLY } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { parseResponseStream } from '../../test/responses-conformance.js';
import { serve } from '../../test/serve.js';
import { RESPONSE_STORE_LIMIT, ResponseStore } from './response-store.js';
import type { ResponseObject } from './responses-wire.js';

// Compiling OpenAI's schemas takes seconds on a busy machine: once, before the tests' clocks start.
beforeAll(() => void (['ResponseStreamEvent', 'ResponseItemList', 'ErrorResponse'] as const).map((name) => schemaErrors(name, {})), 60_000);

describe('conversation state', () => {
  it('previous_response_id continues the stored conversation; instructions are not carried over', async () => {
    const { post, engine, fetch } = serve();
    const first = await (await post('/responses', { model: 'm', input: 'One', instructions: 'Sys' })).json();
    await post('/responses', { model: 'm', input: [{ role: 'user', content: 'Two' }], previous_response_id: first.id });
    expect(engine.requests[1]).toEqual({ messages: [
      { role: 'user', content: 'One' }, { role: 'assistant', content: REPLY }, { role: 'user', content: 'Two' },
    ] });
    const got = await (await fetch(`http://localhost:8000/v1/responses/${first.id}`)).json();
    expect(got).toEqual(first);
    const items = await (await fetch(`http://localhost:8000/v1/responses/${first.id}/input_items`)).json();
    expect(schemaErrors('ResponseItemList', items)).toEqual([]);
    expect(items).toMatchObject({ object: 'list', has_more: false, data: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'One' }] }] });
  });

  it('a streamed response is stored too; item_reference inputs name its items', async () => {
    const served = serve();
    const parsed = parseResponseStream(await (await served.post('/responses', { model: 'm', input: 'Tell me a story', stream: true })).text());
    const { id, output } = parsed.events.at(-1)!['response'] as { id: string; output: Array<{ id: string }> };
    await served.post('/responses', { model: 'm', input: [{ type: 'item_reference', id: output[0]!.id }, { role: 'user', content: 'More' }] });
    expect(served.engine.requests[1]).toEqual({ messages: [{ role: 'assistant', content: REPLY }, { role: 'user', content: 'More' }] });
    expect((await served.fetch(`http://localhost:8000/v1/responses/${id}`)).status).toBe(200);
  });

  it('store: false keeps nothing; DELETE removes; unknown ids are OpenAI\'s errors', async () => {
    const { post, fetch } = serve();
    const kept = await (await post('/responses', { model: 'm', input: 'x', store: false })).json();
    expect((await fetch(`http://localhost:8000/v1/responses/${kept.id}`)).status).toBe(404);
    const continued = await post('/responses', { model: 'm', input: 'x', previous_response_id: kept.id });
    expect(continued.status).toBe(400);
    expect(await continued.json()).toEqual({ error: {
      message: `Previous response with id '${kept.id}' not found.`, type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found',
    } });
    const stored = await (await post('/responses', { model: 'm', input: 'x' })).json();
    const deleted = await fetch(`http://localhost:8000/v1/responses/${stored.id}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ id: stored.id, object: 'response', deleted: true });
    const gone = await fetch(`http://localhost:8000/v1/responses/${stored.id}`);
    expect(gone.status).toBe(404);
    expect(schemaErrors('ErrorResponse', await gone.json())).toEqual([]);
  });
});

describe('GET /responses/{id}/input_items', () => {
  it('pages the input items: newest first by default, limit, order and after', async () => {
    const { post, fetch } = serve();
    const input = ['a', 'b', 'c'].map((content) => ({ role: 'user', content }));
    const { id } = await (await post('/responses', { model: 'm', input })).json();
    const list = async (query: string) => (await fetch(`http://localhost:8000/v1/responses/${id}/input_items${query}`)).json();
    const texts = (page: { data: Array<{ content: Array<{ text: string }> }> }) => page.data.map((item) => item.content[0]!.text);
    const all = await list('');
    expect(schemaErrors('ResponseItemList', all)).toEqual([]);
    expect(texts(all)).toEqual(['c', 'b', 'a']);
    const first = await list('?order=asc&limit=2');
    expect(texts(first)).toEqual(['a', 'b']);
    expect(first).toMatchObject({ has_more: true, first_id: first.data[0].id, last_id: first.data[1].id });
    const next = await list(`?order=asc&limit=2&after=${first.last_id}`);
    expect(texts(next)).toEqual(['c']);
    expect(next.has_more).toBe(false);
    const wrong = await fetch(`http://localhost:8000/v1/responses/${id}/input_items?limit=101`);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toMatchObject({ param: 'limit', code: 'integer_above_max_value' });
  });
});

describe('the response store', () => {
  it('drops the least recently used response beyond its limit (100 by default)', async () => {
    const store = new ResponseStore(3);
    const stored = (id: string) => ({ response: { id } as ResponseObject, inputItems: [], conversation: [] });
    for (const id of ['a', 'b', 'c']) store.set(stored(id));
    store.get('a'); // used: b is now the least recently used
    store.set(stored('d'));
    expect(['a', 'b', 'c', 'd'].map((id) => store.get(id) !== undefined)).toEqual([true, false, true, true]);
    expect(RESPONSE_STORE_LIMIT).toBe(100);
  });
});
