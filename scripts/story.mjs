// The embedded test model's one story, as the exact token pieces it emits.
// A string is one vocabulary token (single characters are byte tokens); an array of
// numbers is a run of raw byte tokens, used to split multi-byte UTF-8 characters
// across tokens so that streaming is tested against half characters.
const bytes = (s) => [...new TextEncoder().encode(s)];

export const STORY_PIECES = [
  'Once', ' upon', ' a', ' time', ',', ' a tiny', ' model', ' lived', ' in', ' a browser', ' tab', '.',
  ' It', ' streamed', ' every', ' word', ' ', bytes('👋'), ' without', ' a server', ', and', ' caf',
  bytes('é'), ' visitors', ' smiled', ' ✨', ' The', ' end.',
];

/** What greedy decoding of the embedded model answers to any chat prompt. */
export const STORY_TEXT =
  'Once upon a time, a tiny model lived in a browser tab. It streamed every word 👋 without a server, and café visitors smiled ✨ The end.';
