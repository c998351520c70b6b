// The prefix cache on the generated model in Node (transformers.js on onnxruntime-node, CPU): every
// turn shape gives the same logits at every step, and so the same text, with reuse as without,
// while usage counts the reused tokens.
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, GenerateRequest, StreamEvent, ToolsParams, Usage } from '../../src/shared/protocol.js';
import { toolCallText } from '../../src/shared/tool-call-format.js';
import { createGeneration } from '../generation.js';
import { Scheduler } from '../scheduler.js';
import { GENERATED_BYTES_PER_TOKEN, GENERATED_EOS as EOS, GENERATED_MODEL as MODEL, loadGeneratedModel } from '../../test/generated-model.js';
import { TransformersBackend } from './backend.js';
import { NEXT_TURN_CHUNK_TOKENS } from './next-turn.js';

interface Run {
  text: string;
  usage: Usage | undefined;
  /** The last row of logits of every forward pass. */
  logits: Float32Array[];
}

let model: PreTrainedModel;
let tokenizer: PreTrainedTokenizer;
let plain: TransformersBackend;
let reusing: TransformersBackend;
/** Where the wrapped forward pass records logits; one array per running request. */
let record: Float32Array[] | undefined;
/** Called after every forward pass, when set. */
let afterForward: (() => void) | undefined;

beforeAll(async () => {
  ({ model, tokenizer } = await loadGeneratedModel());
  const forward = model.forward.bind(model);
  model.forward = async (inputs: Record<string, unknown>) => {
    const outputs = (await forward(inputs)) as Record<string, Tensor>;
    const logits = outputs['logits']!;
    const vocab = logits.dims.at(-1)!;
    record?.push((logits.data as Float32Array).slice(-vocab));
    afterForward?.();
    return outputs;
  };
  const info = { id: MODEL, backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: 2048 } as const;
  plain = new TransformersBackend(info, model, tokenizer, [EOS], { temperature: 0, top_p: 1 }, 0);
  reusing = new TransformersBackend(info, model, tokenizer, [EOS], { temperature: 0, top_p: 1 });
}, 60_000);

afterAll(async () => {
  await reusing.unload();
});

/** One scheduler per backend, as the worker has one per loaded model: idle work takes its turns. */
const schedulers = new Map<TransformersBackend, Scheduler>();

/** Runs `request` to its end, then lets the backend's idle work (the next turn's warm-up) finish. */
async function run(backend: TransformersBackend, request: GenerateRequest): Promise<Run> {
  const logits: Float32Array[] = [];
  record = logits;
  let scheduler = schedulers.get(backend);
  if (!scheduler) schedulers.set(backend, (scheduler = new Scheduler({ idleDelayMs: 0 })));
  const source = await createGeneration(backend, request, scheduler);
  let text = '';
  let usage: Usage | undefined;
  for (let event: StreamEvent | undefined; (event = await source.pull()); ) {
    if (event.type === 'delta') text += event.text;
    else if (event.type === 'done') usage = event.usage;
    else throw new Error(event.error.message);
  }
  record = undefined;
  await scheduler.idleWorkDone();
  return { text, usage, logits };
}

/** Runs `request` with and without reuse; asserts the same logits and text; returns the reusing run. */
async function same(request: GenerateRequest): Promise<Run> {
  const reference = await run(plain, request);
  const reused = await run(reusing, request);
  expect(reused.text).toBe(reference.text);
  expect(reused.logits.length).toBe(reference.logits.length);
  reused.logits.forEach((row, i) => {
    let worst = 0;
    for (let j = 0; j < row.length; j++) worst = Math.max(worst, Math.abs(row[j]! - reference.logits[i]![j]!));
    expect(worst, `step ${i}`).toBeLessThan(1e-4);
  });
  expect(reference.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  expect(reused.usage?.prompt_tokens).toBe(reference.usage?.prompt_tokens);
  return reused;
}

const cached = (r: Run) => r.usage?.prompt_tokens_details?.cached_tokens ?? 0;
const chat = (messages: ChatMessage[], extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ messages, max_tokens: 12, ...extra });
const sampled = { temperature: 1, seed: 7, top_p: 0.9, presence_penalty: 0.5 };

describe('prefix cache', () => {
  const system: ChatMessage = { role: 'system', content: 'You are a storyteller.' };
  const first: ChatMessage[] = [system, { role: 'user', content: 'Tell me a story about a fox.' }];

  it('reuses a conversation turn after turn, for greedy and seeded sampling', async () => {
    const one = await same(chat(first));
    expect(cached(one)).toBe(0);
    const second = [...first, { role: 'assistant', content: one.text } as const, { role: 'user', content: 'And then?' } as const];
    const two = await same(chat(second, sampled));
    // At least the first prompt: the answer's text encodes to other tokens than the model generated
    // (its story pieces are single tokens that the tokenizer never merges).
    expect(cached(two)).toBeGreaterThanOrEqual(one.usage!.prompt_tokens);
    const third = [...second, { role: 'assistant', content: two.text } as const, { role: 'user', content: 'Why?' } as const];
    expect(cached(await same(chat(third, sampled)))).toBeGreaterThanOrEqual(two.usage!.prompt_tokens);
  }, 60_000);

  it('reuses the common start after an edited turn, a regenerated answer or a new system message', async () => {
    const base = [...first, { role: 'assistant', content: 'Once.' } as const, { role: 'user', content: 'More!' } as const];
    const prompt = (await same(chat(base))).usage!.prompt_tokens;
    // Regenerate the last answer (a copy cut to the prompt minus its last token) with a seed, twice.
    expect(cached(await same(chat(base, sampled)))).toBe(prompt - 1);
    expect(cached(await same(chat(base, { ...sampled, seed: 8 })))).toBe(prompt - 1);
    // An edited earlier turn: the system message and the start of the first user message still match.
    const edited = [system, { role: 'user', content: 'Tell me a story about a cat.' } as const, ...base.slice(2)];
    const editedRun = await same(chat(edited, sampled));
    expect(cached(editedRun)).toBeGreaterThan(20);
    expect(cached(editedRun)).toBeLessThan(prompt - 10);
    // A different system message: only "<|im_start|>system\n" is shared (one special token, 7 bytes).
    const other = [{ role: 'system', content: 'Answer briefly.' } as const, ...base.slice(1)];
    expect(cached(await same(chat(other, sampled)))).toBe(8);
  }, 60_000);

  it('reuses across a stop sequence that cut the previous answer, and for raw prompts', async () => {
    const cut = await same(chat(first, { stop: ['upon'], max_tokens: 30 }));
    const next = [...first, { role: 'assistant', content: cut.text } as const, { role: 'user', content: 'Go on.' } as const];
    expect(cached(await same(chat(next, sampled)))).toBeGreaterThanOrEqual(cut.usage!.prompt_tokens);
    const raw = await same({ prompt: 'Once upon a time', max_tokens: 8, ...sampled });
    expect(cached(await same({ prompt: `Once upon a time${raw.text} and`, max_tokens: 8, ...sampled }))).toBeGreaterThan(15);
  }, 60_000);

  it('gives each of two concurrent conversations its own cache', async () => {
    const a = [...first, { role: 'assistant', content: 'A fox.' } as const, { role: 'user', content: 'Next.' } as const];
    const b = [{ role: 'user', content: 'Something else entirely.' } as const];
    const [refA, refB] = [await run(plain, chat(a, sampled)), await run(plain, chat(b, sampled))];
    await run(reusing, chat(a.slice(0, 2)));
    await run(reusing, chat(b.slice(0, 1), { max_tokens: 1 }));
    const [runA, runB] = await Promise.all([run(reusing, chat(a, sampled)), run(reusing, chat(b, sampled))]);
    expect(runA.text).toBe(refA.text);
    expect(runB.text).toBe(refB.text);
  }, 60_000);

  it('readies only what one entry within the budget holds, and loses nothing the cache had', async () => {
    const prompt = [{ role: 'user', content: 'A'.repeat(40) } as const];
    const tokens = (await run(plain, chat(prompt, { max_tokens: 1 }))).usage!.prompt_tokens;
    const budget = (extra: number) => new TransformersBackend(plain.info, model, tokenizer, [EOS], { temperature: 0, top_p: 1 }, (tokens + extra) * GENERATED_BYTES_PER_TOKEN);
    // max_tokens 1 leaves an entry of the prompt alone, a start of the next turn: the warm-up takes
    // it whole and extends it, 2 tokens, all the budget holds (beyond it, the pool would not keep
    // the result, and the prompt's entry was gone with it). Regenerating still reuses the prompt.
    const tight = budget(2);
    await run(tight, chat(prompt, { max_tokens: 1 }));
    expect(cached(await run(tight, chat(prompt, { max_tokens: 1 })))).toBe(tokens - 1);
    // A 4-token answer (its entry: the prompt, 3 generated tokens) and a budget of 3 tokens more:
    // the next turn gets the prompt and the answer's first 3 tokens as the template encodes them.
    const small = budget(3);
    const one = await run(small, chat(prompt, { max_tokens: 4 })); // returns once the idle work has
    const next = [...prompt, { role: 'assistant', content: one.text } as const, { role: 'user', content: 'B' } as const];
    expect(cached(await run(small, chat(next)))).toBe(tokens + 3);
  }, 60_000);

  it('keeps within its byte budget, least recently used out first', async () => {
    const perToken = GENERATED_BYTES_PER_TOKEN;
    const small = new TransformersBackend(plain.info, model, tokenizer, [EOS], { temperature: 0, top_p: 1 }, 80 * perToken);
    const a = await run(small, chat([{ role: 'user', content: 'A'.repeat(40) }], { max_tokens: 4 }));
    await run(small, chat([{ role: 'user', content: 'B'.repeat(40) }], { max_tokens: 4 }));
    // A's 60 tokens and B's do not both fit in 80: A was evicted, and only "<|im_start|>user\n" of B matches.
    const again = await run(small, chat([{ role: 'user', content: 'A'.repeat(40) }], { max_tokens: 4 }));
    expect(again.text).toBe(a.text);
    expect(cached(again)).toBe(6);
    // Then A's second run evicted B in turn.
    const b = await run(small, chat([{ role: 'user', content: 'B'.repeat(40) }], { max_tokens: 4 }));
    expect(cached(b)).toBe(6);
  }, 60_000);

  it('readies the next turn while idle: the resent answer and the template after it come from the cache', async () => {
    const one = await same(chat(first, { max_tokens: 40 }));
    const next = [...first, { role: 'assistant', content: one.text } as const, { role: 'user', content: 'And then?' } as const];
    const two = await same(chat(next, sampled));
    // The embedded model's answer re-encodes to byte tokens its cache entry never held; the warm-up
    // prefilled them, and "<|im_end|>\n<|im_start|>user\n": all but the new question and what follows it.
    const text = tokenizer.apply_chat_template(next, { tokenize: false, add_generation_prompt: true }) as string;
    const before = text.slice(0, text.lastIndexOf('And then?'));
    const expected = tokenizer.encode(before, { add_special_tokens: false }).length;
    expect(expected).toBeGreaterThan(one.usage!.prompt_tokens + one.text.length);
    expect(expected - one.usage!.prompt_tokens, 'readied in several passes').toBeGreaterThan(2 * NEXT_TURN_CHUNK_TOKENS);
    expect(cached(two)).toBe(expected);
  }, 60_000);

  it('stops the warm-up once a request takes a place; the request takes what was done, same output', async () => {
    const answer = (await run(plain, chat(first, { max_tokens: 20 }))).text;
    const next = [...first, { role: 'assistant', content: answer } as const, { role: 'user', content: 'And then?' } as const];
    const reference = await run(plain, chat(next, sampled));
    const fresh = new TransformersBackend(plain.info, model, tokenizer, [EOS], { temperature: 0, top_p: 1 });
    const scheduler = new Scheduler({ idleDelayMs: 0 });
    schedulers.set(fresh, scheduler);
    const source = await createGeneration(fresh, chat(first, { max_tokens: 20 }), scheduler);
    while (await source.pull());
    // The next turn's request arrives during the warm-up's first pass: the warm-up stops after it.
    const two = await new Promise<Run>((resolve) => {
      afterForward = () => {
        afterForward = undefined;
        resolve(run(fresh, chat(next, sampled)));
      };
    });
    expect(two.text).toBe(reference.text);
    // The first prompt (its entry), then one pass of the warm-up.
    const firstPrompt = tokenizer.apply_chat_template(first, { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false }) as number[];
    expect(cached(two)).toBe(firstPrompt.length + NEXT_TURN_CHUNK_TOKENS);
  }, 60_000);

  it('readies no next turn after an answer that calls a tool: the client sends back the call and its result', async () => {
    const tools: ToolsParams = { tools: [{ name: 'get_weather', parameters: { type: 'object' }, strict: false }], tool_choice: 'auto', parallel_tool_calls: true };
    const call = `Let me look.\n${toolCallText('get_weather', '{"city": "Paris"}')}`;
    const nextTurn = async (request: GenerateRequest, answer: string) => (await reusing.prepare(request)).nextTurn?.(answer);
    expect(await nextTurn(chat(first, { tools }), call)).toBeUndefined();
    expect(await nextTurn(chat(first, { tools }), 'Sunny in Paris.')).toBeInstanceOf(Function);
    // With tool_choice 'none' nothing parses calls: the text is the answer, and it comes back as it is.
    expect(await nextTurn(chat(first, { tools: { ...tools, tool_choice: 'none' } }), call)).toBeInstanceOf(Function);
    expect(await nextTurn(chat(first), call)).toBeInstanceOf(Function);
  });
});
