// The tool-calling test model in Node (transformers.js, CPU): greedy decoding writes the Hermes
// call of scripts/tool-call-story.mjs over its 18 tokens, then stops.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { expect, it } from 'vitest';
import { TOOL_CALL_PIECES, TOOL_CALL_TEXT } from './tool-call-story.mjs';

const MODEL = 'zstream-tiny-tools';

it('greedily answers any chat with one get_weather call, split over many tokens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zstream-tools-model-'));
  execFileSync('node', ['scripts/generate-model.mjs', '--tools', join(dir, MODEL)]);
  env.allowRemoteModels = false;
  env.localModelPath = `${dir}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL);
  const model = await AutoModelForCausalLM.from_pretrained(MODEL, { device: 'cpu' });
  const inputs = tokenizer.apply_chat_template([{ role: 'user', content: 'Weather in Paris?' }], {
    add_generation_prompt: true,
    return_dict: true,
  }) as { input_ids: { dims: number[] } };
  const out = (await model.generate({ ...inputs, max_new_tokens: 64, do_sample: false })) as { tolist(): bigint[][] };
  const ids = out.tolist()[0]!.slice(inputs.input_ids.dims[1]).map(Number);
  expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(TOOL_CALL_TEXT);
  expect(ids).toHaveLength(TOOL_CALL_PIECES.length + 1); // and <|im_end|>
  await model.dispose();
}, 60_000);
