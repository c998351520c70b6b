// The chat model's tokenizer: the test tokenizer (bytes, ChatML specials, one token per story piece)
// with BPE merges that rebuild every story piece from its bytes, so that the story's text encodes to
// exactly the story's tokens wherever it stands, as a real model's trained BPE re-encodes its own
// output. A chat client sends the answer back as text; only then can the prefix cache reuse it.
//
// Why the merges look as they do: a piece is split into words at each space (" a tiny" → " a",
// " tiny"; ", and" → ",", " and"); each word is built left to right from its first byte (" t",
// " ti", " tin", " tiny"), then the words are joined left to right. Every merge's right side is then
// one byte other than a space, or a whole word that starts with one, so no merge can reach across
// the boundary between two pieces of the story (the next piece starts with a space, ",", "." or an
// unmerged byte), and words shared by several pieces (" a") stay what they are unless the whole
// piece follows. ByteLevel runs without GPT-2's split regex (`use_regex: false`), because pieces
// such as " a tiny" span two of its pre-tokens. No merge involves "\n", so the text of one message
// never merges with the chat template around it. scripts/chat-model.test.ts checks all of it
// with transformers.js.
import { buildTokenizer } from './model-tokenizer.mjs';

const SPACE = 'Ġ'; // byte 32 in GPT-2's byte-to-unicode map

export function buildCanonicalTokenizer(pieces) {
  const base = buildTokenizer(pieces);
  const { vocab } = base.tokenizerJson.model;
  // The story's multi-byte pieces, in byte-level form: the chain's tokens whose keys are longer than a byte.
  const keyOf = new Map(Object.entries(vocab).map(([key, id]) => [id, key]));
  const pieceKeys = base.chain.map((id) => keyOf.get(id)).filter((key) => key.length > 1);
  const wordMerges = [];
  const joinMerges = [];
  const seen = new Set();
  let next = base.vocabSize;
  const merge = (list, left, right) => {
    const line = `${left} ${right}`;
    if (!seen.has(line)) {
      seen.add(line);
      list.push(line);
    }
    const token = left + right;
    if (!(token in vocab)) vocab[token] = next++;
    return token;
  };
  for (const key of pieceKeys) {
    const words = key.match(new RegExp(`${SPACE}?[^${SPACE}]+|${SPACE}`, 'gu')) ?? [];
    const built = words.map((word) => [...word].reduce((left, right) => merge(wordMerges, left, right)));
    built.reduce((left, right) => merge(joinMerges, left, right));
  }
  // Words first, then joins: a join only ever applies to finished words.
  base.tokenizerJson.model.merges = [...wordMerges, ...joinMerges];
  for (const part of ['pre_tokenizer', 'post_processor', 'decoder']) {
    base.tokenizerJson[part] = { ...base.tokenizerJson[part], use_regex: false };
  }
  return { ...base, vocabSize: next };
}
