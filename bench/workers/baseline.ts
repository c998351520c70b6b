// The baseline: transformers.js in a worker the way its examples do it today, without zstream.
// model.generate() with a TextStreamer that posts every token (token_callback_function) and
// every finished piece of text (callback_function) to the page with postMessage.
import {
  AutoModelForCausalLM, AutoTokenizer, TextStreamer, env, type PreTrainedModel, type PreTrainedTokenizer,
} from '@huggingface/transformers';
import type { BaselineCommand, BaselineMessage } from './messages.js';

let model: PreTrainedModel | undefined;
let tokenizer: PreTrainedTokenizer | undefined;

const post = (message: BaselineMessage) => self.postMessage(message);

async function load(command: Extract<BaselineCommand, { type: 'load' }>): Promise<void> {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = command.localModelPath;
  const wasm = env.backends.onnx.wasm;
  if (wasm) wasm.wasmPaths = { ...command.wasmPaths };
  tokenizer = await AutoTokenizer.from_pretrained(command.model);
  model = await AutoModelForCausalLM.from_pretrained(command.model, { device: command.device });
  // The examples' warm-up: one short generation compiles the kernels before the first request.
  const inputs = tokenizer.apply_chat_template([{ role: 'user', content: 'Hi' }], { add_generation_prompt: true, return_dict: true });
  await model.generate({ ...(inputs as object), max_new_tokens: 1 });
  post({ type: 'loaded' });
}

async function generate(command: Extract<BaselineCommand, { type: 'generate' }>): Promise<void> {
  if (!model || !tokenizer) throw new Error('The baseline worker has no model loaded.');
  const inputs = tokenizer.apply_chat_template(command.messages, { add_generation_prompt: true, return_dict: true }) as object;
  let generated = 0;
  let last: bigint | undefined;
  const streamer = new TextStreamer(tokenizer, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (text: string) => post({ type: 'text', text }),
    token_callback_function: (tokens: bigint[]) => {
      generated += tokens.length;
      last = tokens.at(-1);
      post({ type: 'token', tokens });
    },
  });
  await model.generate({
    ...inputs,
    max_new_tokens: command.max_new_tokens,
    ...(command.min_new_tokens ? { min_new_tokens: command.min_new_tokens } : {}),
    do_sample: command.do_sample,
    ...(command.temperature ? { temperature: command.temperature } : {}),
    ...(command.top_p ? { top_p: command.top_p } : {}),
    streamer,
  });
  // The end-of-sequence token, when the model stopped by itself, is no completion token.
  const eos = [model.generation_config?.eos_token_id ?? []].flat().map(BigInt);
  post({ type: 'done', tokens: last !== undefined && eos.includes(last) ? generated - 1 : generated });
}

self.onmessage = (event: MessageEvent<BaselineCommand>) => {
  const command = event.data;
  const task = command.type === 'load' ? load(command) : generate(command);
  task.catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
