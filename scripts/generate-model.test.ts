// The generated model, run in Node with transformers.js (onnxruntime-node, CPU): greedy decoding
// tells the story the tests elsewhere assert, and generation is byte-for-byte repeatable.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { STORY_TEXT } from './story.mjs';

const MODEL = 'zstream-tiny-story';

describe('generate-model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zstream-model-'));
  execFileSync('node', ['scripts/generate-model.mjs', join(dir, MODEL)]);

  it('is deterministic', () => {
    const again = mkdtempSync(join(tmpdir(), 'zstream-model-'));
    execFileSync('node', ['scripts/generate-model.mjs', join(again, MODEL)]);
    for (const file of ['onnx/model.onnx', 'tokenizer.json', 'config.json']) {
      expect(readFileSync(join(again, MODEL, file)).equals(readFileSync(join(dir, MODEL, file)))).toBe(true);
    }
  });

  it('greedily tells the story, splitting 👋 and é over byte tokens, then stops', async () => {
    env.allowRemoteModels = false;
    env.localModelPath = `${dir}/`;
    const tokenizer = await AutoTokenizer.from_pretrained(MODEL);
    const model = await AutoModelForCausalLM.from_pretrained(MODEL, { device: 'cpu' });
    const inputs = tokenizer.apply_chat_template([{ role: 'user', content: 'Anything at all' }], {
      add_generation_prompt: true,
      return_dict: true,
    }) as { input_ids: { dims: number[] } };
    const out = (await model.generate({ ...inputs, max_new_tokens: 64, do_sample: false })) as { tolist(): bigint[][] };
    const ids = out.tolist()[0]!.slice(inputs.input_ids.dims[1]).map(Number);
    expect(ids.at(-1)).toBe(258); // <|im_end|>
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(STORY_TEXT);
    const single = ids.map((id) => tokenizer.decode([id]));
    expect(single.filter((s) => s.includes('\uFFFD')).length).toBe(6); // 4 bytes of 👋, 2 of é
    await model.dispose();
  }, 60_000);
});
