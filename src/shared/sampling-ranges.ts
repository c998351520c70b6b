// The values OpenAI accepts for the sampling parameters: the `minimum`/`maximum` of
// CreateChatCompletionRequest and CreateResponse in OpenAI's openapi.json (ModelResponseProperties,
// CreateChatCompletionRequest). The HTTP layer answers a value outside with OpenAI's range error;
// the engine API refuses it too (src/engine/request-check.ts). Checked against the spec in
// sampling-ranges.test.ts.
export const SAMPLING_RANGES = {
  temperature: { min: 0, max: 2 },
  top_p: { min: 0, max: 1 },
  presence_penalty: { min: -2, max: 2 },
  frequency_penalty: { min: -2, max: 2 },
} as const;

export type SamplingParam = keyof typeof SAMPLING_RANGES;
