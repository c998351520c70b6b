// The tool-calling test model's one answer: a Hermes-form call (Qwen2.5's and Hermes' own
// format), split across many tokens so that streamed parsing sees the name and the arguments
// arrive in pieces. Every piece must be a distinct token (the chain would loop otherwise), so
// repeated punctuation rides inside longer pieces.
export const TOOL_CALL_PIECES = [
  '<tool_', 'call>', '\n{"', 'name', '": "', 'get_', 'weather', '", "', 'argu', 'ments', '": {', '"ci', 'ty', '": "P', 'ar', 'is', '"}}', '\n</tool_call>',
];

/** What greedy decoding of the tools model answers to any chat prompt. */
export const TOOL_CALL_TEXT = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
