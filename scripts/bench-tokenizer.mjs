// The benchmark model's tokenizer: the test tokenizer (bytes, ChatML specials, story pieces) grown
// to a real model's vocabulary with byte-level BPE merges, so that encoding walks merge ranks and
// decoding maps real multi-character tokens back to bytes. There is no training corpus here: the
// merges are every lowercase letter sequence, word-initial (after a space, GPT-2's "Ġ") or not,
// shortest first, until the vocabulary is full. Deterministic, like the rest of the generator.
import { buildTokenizer } from './model-tokenizer.mjs';

const LETTERS = 'etaoinshrdlcumwfgypbvkjxqz';
const SPACE = 'Ġ'; // byte 32 in GPT-2's byte-to-unicode map

export function buildBenchTokenizer(pieces, vocabSize) {
  const base = buildTokenizer(pieces);
  const { vocab } = base.tokenizerJson.model;
  const merges = [];
  let next = base.vocabSize;
  const add = (left, right) => {
    const token = left + right;
    merges.push(`${left} ${right}`);
    if (!(token in vocab)) vocab[token] = next++;
    return token;
  };
  let level = [...LETTERS].map((c) => add(SPACE, c));
  level.push(...LETTERS);
  while (next < vocabSize) {
    const longer = [];
    for (const stem of level) {
      for (const c of LETTERS) {
        if (next >= vocabSize) break;
        longer.push(add(stem, c));
      }
    }
    level = longer;
  }
  base.tokenizerJson.model.merges = merges;
  return { ...base, vocabSize: next };
}
