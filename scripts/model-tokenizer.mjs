// A GPT-2 style byte-level BPE tokenizer for the test model: 256 byte tokens, three ChatML
// specials, and one extra token per multi-character story piece. There are no merges, so
// prompts encode to bytes; the story tokens are only ever produced by the model.
const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

// GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards.
function byteToUnicode() {
  const printable = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return map;
}

const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function buildTokenizer(pieces) {
  const b2u = byteToUnicode();
  const encodeBytes = (s) => [...new TextEncoder().encode(s)].map((b) => b2u[b]).join('');
  const vocab = {};
  b2u.forEach((ch, b) => (vocab[ch] = b));
  const specialIds = SPECIALS.map((_, i) => 256 + i);
  SPECIALS.forEach((s, i) => (vocab[s] = specialIds[i]));

  // The chain starts at "\n", the last token of the generation prompt.
  const chain = [10];
  let next = 256 + SPECIALS.length;
  for (const piece of pieces) {
    if (Array.isArray(piece)) {
      chain.push(...piece);
    } else if ([...new TextEncoder().encode(piece)].length === 1) {
      chain.push(piece.charCodeAt(0));
    } else {
      const key = encodeBytes(piece);
      if (key in vocab) throw new Error(`story piece ${JSON.stringify(piece)} is used twice`);
      vocab[key] = next++;
      chain.push(vocab[key]);
    }
  }
  if (new Set(chain).size !== chain.length) throw new Error('a story token repeats: greedy decoding would loop');

  const [padId, , eosId] = specialIds;
  const added = SPECIALS.map((content, i) => ({
    id: specialIds[i], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null,
    pre_tokenizer: byteLevel, post_processor: byteLevel, decoder: byteLevel,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [],
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast', chat_template: CHAT_TEMPLATE, add_bos_token: false,
    bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>', unk_token: null,
    model_max_length: 2048, clean_up_tokenization_spaces: false,
  };
  return { vocabSize: next, chain, eosId, padId, tokenizerJson, tokenizerConfig };
}
