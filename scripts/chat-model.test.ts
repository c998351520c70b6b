// The chat model (scripts/generate-model.mjs --chat) in Node with transformers.js: its tokenizer is
// canonical for its own output, as a trained BPE is for its model's. The story's text encodes to the
// very tokens greedy decoding produced, so the next turn's prompt is the previous prompt, the answer's
// own tokens, then the template: what lets the prefix cache reuse the answer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY_TEXT } from './story.mjs';

const MODEL = 'zstream-tiny-chat';
type Message = { role: string; content: string };

describe('the chat model', () => {
  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zstream-chat-model-'));
    execFileSync('node', ['scripts/generate-model.mjs', '--chat', join(dir, MODEL)]);
    env.allowRemoteModels = false;
    env.localModelPath = `${dir}/`;
    tokenizer = await AutoTokenizer.from_pretrained(MODEL);
    model = await AutoModelForCausalLM.from_pretrained(MODEL, { device: 'cpu' });
  }, 60_000);
  afterAll(() => model?.dispose());

  const prompt = (messages: Message[]) =>
    (tokenizer.apply_chat_template(messages, { add_generation_prompt: true, return_dict: true, return_tensor: false }) as { input_ids: number[] }).input_ids;
  const greedy = async (ids: number[]) => {
    const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    const out = (await model.generate({ input_ids, attention_mask, max_new_tokens: 64, do_sample: false })) as { tolist(): bigint[][] };
    return out.tolist()[0]!.slice(ids.length).map(Number);
  };

  it('answers every turn of a conversation with the story, and the next prompt holds the answer as generated', async () => {
    const imEnd = tokenizer.convert_tokens_to_ids('<|im_end|>') as number;
    const messages: Message[] = [{ role: 'system', content: 'You are a storyteller.' }];
    for (let turn = 1; turn <= 4; turn++) {
      messages.push({ role: 'user', content: `Turn ${turn}. And then?` });
      const ids = prompt(messages);
      const generated = await greedy(ids);
      expect(generated.at(-1)).toBe(imEnd);
      const answer = generated.slice(0, -1);
      expect(answer).toHaveLength(32);
      expect(tokenizer.decode(answer)).toBe(STORY_TEXT);
      // The story's text alone encodes to the generated tokens...
      expect(tokenizer.encode(STORY_TEXT, { add_special_tokens: false })).toEqual(answer);
      // ...and so does the answer inside the next turn's prompt, after "assistant\n".
      messages.push({ role: 'assistant', content: STORY_TEXT });
      const next = prompt([...messages, { role: 'user', content: 'More.' }]);
      expect(next.slice(0, ids.length + answer.length + 1)).toEqual([...ids, ...answer, imEnd]);
    }
  }, 60_000);

  it('keeps the story pieces whole wherever the story stands, and splits 👋 and é into bytes', () => {
    const quoted = tokenizer.encode(`Quote: "${STORY_TEXT}"`, { add_special_tokens: false });
    const story = tokenizer.encode(STORY_TEXT, { add_special_tokens: false });
    expect(quoted.slice(-story.length - 1, -1)).toEqual(story);
    expect(story.map((id) => tokenizer.decode([id])).filter((s) => s.includes('\uFFFD'))).toHaveLength(6);
    expect(tokenizer.decode(tokenizer.encode('the quick brown fox, café 👋 ✨', { add_special_tokens: false }))).toBe('the quick brown fox, café 👋 ✨');
  });
});
