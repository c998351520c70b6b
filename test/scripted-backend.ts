// The worker's unit tests' model: a backend that replays a script of token texts, one per step,
// then ends as at EOS. No network, no tokenizer; `log` counts what the engine asked of it.
import type { GenerateRequest } from '../src/shared/protocol.js';
import type { Backend, BackendStep, PreparedGeneration } from '../worker/backend.js';

export interface ScriptLog {
  /** Steps asked for, the ending one included. */
  steps: number;
  /** Token streams closed. */
  closed: number;
}

export interface ScriptOptions {
  /** `usage.prompt_tokens` of every request; 5 by default. */
  promptTokens?: number;
  /** The context window; 100 by default. */
  contextLength?: number;
}

/** `script`: the texts every request generates, or a function of the request giving them (endless ones too). */
export function scriptedBackend(
  script: Iterable<string> | ((request: GenerateRequest) => Iterable<string>),
  { promptTokens = 5, contextLength = 100 }: ScriptOptions = {},
): { backend: Backend; log: ScriptLog } {
  const log: ScriptLog = { steps: 0, closed: 0 };
  const backend: Backend = {
    info: { id: 'scripted', backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength },
    async prepare(request): Promise<PreparedGeneration> {
      return {
        promptTokens,
        maxNewTokens: contextLength - promptTokens,
        start() {
          const texts = (typeof script === 'function' ? script(request) : script)[Symbol.iterator]();
          return {
            async next(): Promise<BackendStep> {
              log.steps++;
              const step = texts.next();
              return step.done ? { kind: 'end', reason: 'stop' } : { kind: 'text', text: step.value };
            },
            async close() {
              log.closed++;
            },
          };
        },
      };
    },
    async warmUp() {},
    async unload() {},
  };
  return { backend, log };
}
