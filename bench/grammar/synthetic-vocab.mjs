// A synthetic byte-level BPE vocabulary of any size (SmolLM2's is 49,152): the 256 byte tokens,
// JSON punctuation runs, words with and without a leading space, digits runs, then seeded random
// pieces. Token strings are in GPT-2's byte-to-unicode form, as a byte-level tokenizer.json has them.

/** GPT-2's reversible byte → printable character map. */
export function byteLevelAlphabet() {
  const visible = [];
  for (let c = 33; c <= 126; c++) visible.push(c);
  for (let c = 161; c <= 172; c++) visible.push(c);
  for (let c = 174; c <= 255; c++) visible.push(c);
  const map = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCharCode(visible.includes(b) ? b : 256 + extra++);
  return map;
}

const WORDS = ('the of and to in is for on that with as by at from city name age tags weather paris london ' +
  'temperature unit celsius true false null get location answer items value type string number object array ' +
  'hello world story once upon time there was little cat dog sun moon tree house red blue green').split(' ');
const PUNCT = ['{"', '":', '",', '"}', '": "', '", "', '{}', '[]', '["', '"]', ', ', ': ', '{\n', '\n}', '  ', '    ', '},', '],', '"'];

function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `{ tokens: string[] (byte-level), bytes: Uint8Array[], eos: 0 }`; id 0 is `<|endoftext|>`. */
export function syntheticVocab(size = 49152) {
  const alphabet = byteLevelAlphabet();
  const encoder = new TextEncoder();
  const seen = new Set();
  const bytes = [];
  const add = (b) => {
    const key = Array.from(b).join(',');
    if (seen.has(key) || bytes.length >= size) return;
    seen.add(key);
    bytes.push(b);
  };
  const special = encoder.encode('<|endoftext|>');
  bytes.push(special);
  seen.add('special');
  for (let b = 0; b < 256; b++) add(Uint8Array.of(b));
  for (const p of PUNCT) add(encoder.encode(p));
  for (const w of WORDS) for (const form of [w, ` ${w}`, `"${w}`, `${w}"`, w[0].toUpperCase() + w.slice(1)]) add(encoder.encode(form));
  for (let n = 0; n < 1000; n++) add(encoder.encode(String(n)));
  const random = seeded(49152);
  const letters = 'abcdefghijklmnopqrstuvwxyz     ,.":{}[]0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\n';
  while (bytes.length < size) {
    const length = 2 + Math.floor(random() * 7);
    let s = random() < 0.5 ? ' ' : '';
    for (let i = 0; i < length; i++) s += letters[Math.floor(random() * letters.length)];
    add(encoder.encode(s));
  }
  const tokens = bytes.map((b, id) => (id === 0 ? '<|endoftext|>' : Array.from(b, (x) => alphabet[x]).join('')));
  return { tokens, bytes, eos: 0 };
}
