// The transformers.js backend's checks before a request starts (the generated model in Node).
import { beforeAll, expect, it } from 'vitest';
import { GENERATED_EOS, GENERATED_MODEL, loadGeneratedModel } from '../../test/generated-model.js';
import { ZStreamError } from '../../src/shared/errors.js';
import { TransformersBackend } from './backend.js';

let backend: TransformersBackend;

beforeAll(async () => {
  const { model, tokenizer } = await loadGeneratedModel();
  const info = { id: GENERATED_MODEL, backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: 64 } as const;
  backend = new TransformersBackend(info, model, tokenizer, [GENERATED_EOS], { temperature: 0, top_p: 1 });
}, 60_000);

it('refuses a prompt of no tokens (the engine API; HTTP refuses the empty string first)', async () => {
  const error = await backend.prepare({ prompt: '' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ZStreamError);
  expect((error as ZStreamError).toJSON().error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'prompt' });
});

it('refuses a prompt and max_tokens beyond the context window, as OpenAI words it', async () => {
  const error = await backend.prepare({ prompt: 'a'.repeat(60), max_tokens: 10 }).catch((e: unknown) => e);
  expect((error as ZStreamError).toJSON().error).toMatchObject({ code: 'context_length_exceeded', param: 'prompt' });
  expect((error as ZStreamError).message).toBe(
    "This model's maximum context length is 64 tokens. However, you requested 70 tokens (60 in the prompt, 10 in the completion). Please reduce the length of the prompt or completion.",
  );
  expect((await backend.prepare({ prompt: 'a'.repeat(60), max_tokens: 4 })).maxNewTokens).toBe(4);
});
