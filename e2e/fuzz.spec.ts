// Fuzzing the shim with hostile bodies (issue #12): a seeded generator (fast-check) makes a few
// hundred requests — valid ones with one or more fields replaced by hostile values, random JSON,
// text that is not JSON, deep nesting, huge strings, odd routes and methods — and sends them through
// createFetch to the real model on WASM. Every answer must be a well-formed OpenAI error (ajv
// against ErrorResponse, no larger than a quoted value allows) or a valid response (its schema, or
// a conforming SSE stream); no request may restart the worker; a normal request succeeds after.
// Rerun one failure with FUZZ_SEED=<seed printed in the failure>.
import fc from 'fast-check';
import { schemaErrors, type SchemaName } from '../test/openai-spec.js';
import { parseStream } from '../test/sse-conformance.js';
import { STORY, expect, openEngine, test } from './fixtures.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_129);
const CASES = Number(process.env.FUZZ_CASES ?? 300);
/** Error bodies quote at most 100 characters of a value (src/http/quote.ts): none needs more than this. */
const MAX_ERROR_BYTES = 1_000;

interface Call {
  method: string;
  path: string;
  /** Sent as is (already serialized, or deliberately not JSON). */
  body?: string;
}

interface Raw {
  status: number;
  type: string;
  text: string;
}

/** A JSON fragment nested `depth` deep under `key`, built as text (JSON.stringify would recurse that deep). */
const deep = (key: string, depth: number) => `${`{"${key}":`.repeat(depth)}"x"${'}'.repeat(depth)}`;
const DEEP_MARK = '\u0001deep\u0001';

const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', '__proto__', 'constructor', 'prototype', '\u0000', '\ud800', '%zz', '../..', 'text', 'user', 'word', '🙂'.repeat(3)),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 2, 0.5, 1e-300, 1e308, -1e308, 2 ** 53, 4, 16, 128, 129, 4096, 4097),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [[]], { __proto__: null }, DEEP_MARK),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(hostileString, { maxLength: 5 }),
);

const CHAT_FIELDS = [
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'n', 'stream', 'stream_options', 'stop', 'seed',
  'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'tools', 'tool_choice', 'response_format', 'user',
  'metadata', 'modalities', '__proto__', 'constructor',
];
const COMPLETION_FIELDS = ['model', 'prompt', 'max_tokens', 'temperature', 'top_p', 'n', 'stream', 'stream_options', 'stop', 'echo', 'suffix', 'best_of', 'logprobs', 'seed'];

/** Sampling parameters at and around their limits, together: where a bad combination would reach the worker. */
const sampling = fc.record({
  temperature: fc.constantFrom(0, 1e-300, 0.5, 1, 2),
  top_p: fc.constantFrom(0, 1e-300, 0.5, 1),
  presence_penalty: fc.constantFrom(-2, 0, 2),
  frequency_penalty: fc.constantFrom(-2, 0, 2),
  seed: fc.constantFrom(0, -1, 2 ** 53, 42),
}, { requiredKeys: [] });

const overrides = (fields: string[]) => fc.dictionary(fc.constantFrom(...fields), hostileValue, { minKeys: 1, maxKeys: 3 });
const streamOptions = fc.record({
  include_usage: fc.boolean(), chunk_size: fc.constantFrom(1, 3, 4096), chunk_by: fc.constantFrom('token', 'word', 'sentence'),
}, { requiredKeys: [] });
const message = fc.record({
  role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'developer', 'tool'), hostileValue),
  content: fc.oneof(hostileString, hostileValue, fc.array(fc.record({ type: fc.oneof(fc.constant('text'), hostileValue), text: hostileValue }), { maxLength: 3 })),
}, { requiredKeys: [] });

/** `body` as JSON text, with any DEEP_MARK replaced by a value nested 20 000 deep. */
function serialize(body: unknown): string {
  return JSON.stringify(body).replaceAll(JSON.stringify(DEEP_MARK), deep('type', 20_000));
}

const base = { model: 'gpt-4o', max_tokens: 4 };
const call: fc.Arbitrary<Call> = fc.oneof(
  { weight: 4, arbitrary: overrides(CHAT_FIELDS).map((extra) => ({ method: 'POST', path: '/chat/completions', body: serialize({ ...base, messages: [{ role: 'user', content: 'Hi' }], ...extra }) })) },
  { weight: 2, arbitrary: fc.tuple(fc.array(message, { minLength: 1, maxLength: 3 }), fc.boolean(), streamOptions).map(([messages, stream, options]) => ({
    method: 'POST', path: '/chat/completions', body: serialize({ ...base, messages, stream, ...(stream ? { stream_options: options } : {}) }),
  })) },
  { weight: 2, arbitrary: fc.tuple(sampling, fc.constantFrom('/chat/completions', '/completions')).map(([params, path]) => ({
    method: 'POST', path, body: serialize({ ...base, ...(path === '/completions' ? { prompt: 'Once' } : { messages: [{ role: 'user', content: 'Hi' }] }), ...params }),
  })) },
  { weight: 3, arbitrary: overrides(COMPLETION_FIELDS).map((extra) => ({ method: 'POST', path: '/completions', body: serialize({ ...base, prompt: 'Once', ...extra }) })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('/chat/completions', '/completions'), fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.constant(deep('messages', 20_000)), fc.constant('{"model":'))).map(([path, body]) => ({ method: 'POST', path, body })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.constantFrom('/models', '/models/', '/chat/completions', '/nowhere', '/completions/x'), hostileString).map(([method, path, tail]) => ({
    method, path: path.endsWith('/') ? `${path}${encodeURIComponent(tail.replace(/\p{Cs}/gu, '\ufffd'))}` : path, ...(method === 'GET' ? {} : { body: '{}' }),
  })) },
);

/** What every answer must be, whatever was sent: OpenAI's error, or a valid response for its route. */
function check(sent: Call, raw: Raw): string[] {
  const problems: string[] = [];
  if (![200, 400, 404, 405].includes(raw.status)) problems.push(`status ${raw.status}`);
  if (raw.status !== 200) {
    if (!raw.type.startsWith('application/json')) problems.push(`error content-type ${raw.type}`);
    if (raw.text.length > MAX_ERROR_BYTES) problems.push(`error body of ${raw.text.length} bytes`);
    problems.push(...schemaErrors('ErrorResponse', JSON.parse(raw.text)));
    return problems;
  }
  const kind = sent.path === '/completions' ? 'completion' : 'chat';
  if (raw.type.startsWith('text/event-stream')) {
    const parsed = parseStream(raw.text, kind);
    if (!parsed.done) problems.push('stream without [DONE]');
    if (parsed.errors.length > 0) problems.push(`stream errors ${JSON.stringify(parsed.errors).slice(0, 300)}`);
    return [...problems, ...parsed.violations];
  }
  const schema: SchemaName = sent.path === '/chat/completions' ? 'CreateChatCompletionResponse'
    : sent.path === '/completions' ? 'CreateCompletionResponse' : sent.path === '/models' ? 'ListModelsResponse' : 'Model';
  return [...problems, ...schemaErrors(schema, JSON.parse(raw.text))];
}

test(`wasm: ${CASES} hostile requests (seed ${SEED}) each get OpenAI's error or a valid response, and the worker never restarts`, async ({ page }) => {
  test.setTimeout(600_000);
  await openEngine(page, 'wasm');
  const calls = fc.sample(call, { seed: SEED, numRuns: CASES });
  const restartsBefore = await page.evaluate(async () => (await window.engine.stats!()).workerRestarts);
  const failures: string[] = [];
  for (let start = 0; start < calls.length; start += 25) {
    const batch = calls.slice(start, start + 25);
    const answers = await page.evaluate(async (batch) => {
      const fetch = window.zstream.createFetch(window.engine);
      const out: Raw[] = [];
      for (const { method, path, body } of batch) {
        const res = await fetch(`/v1${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
        out.push({ status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() });
      }
      return out;
    }, batch);
    answers.forEach((raw, i) => {
      const sent = batch[i]!;
      const problems = check(sent, raw);
      if (problems.length > 0) {
        failures.push(`case ${start + i} ${sent.method} ${sent.path} ${(sent.body ?? '').slice(0, 200)} → ${raw.status} ${raw.text.slice(0, 200)}: ${problems.join('; ')}`);
      }
    });
  }
  expect(failures, `seed ${SEED}`).toEqual([]);
  const after = await page.evaluate(async () => {
    const res = await window.zstream.createFetch(window.engine)('/v1/chat/completions', {
      method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me a story' }] }),
    });
    return { body: await res.json(), restarts: (await window.engine.stats!()).workerRestarts };
  });
  expect(after.restarts).toBe(restartsBefore);
  expect(after.body.choices[0].message.content).toBe(STORY);
});
