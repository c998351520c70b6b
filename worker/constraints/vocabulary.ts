// A transformers.js tokenizer's vocabulary as xgrammar reads it.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { VocabularyInfo } from './xgrammar.js';

interface TokenizerJson {
  decoder?: { type?: string; decoders?: Array<{ type?: string }> } | null;
}

function vocabularyType(json: TokenizerJson | undefined): VocabularyInfo['type'] {
  const decoder = json?.decoder;
  const types = [decoder?.type, ...(decoder?.decoders ?? []).map((d) => d.type)];
  if (types.includes('ByteLevel')) return 'byte_level';
  if (types.includes('ByteFallback')) return 'byte_fallback';
  return 'raw';
}

export function tokenizerVocabulary(tokenizer: PreTrainedTokenizer, logitsSize: number, stopTokenIds: number[]): VocabularyInfo {
  const tokens: string[] = [];
  for (const [token, id] of tokenizer.get_vocab()) tokens[id] = token;
  for (let id = 0; id < tokens.length; id++) tokens[id] ??= '';
  return { tokens, type: vocabularyType(tokenizer._tokenizerJSON as TokenizerJson | undefined), logitsSize: Math.max(logitsSize, tokens.length), stopTokenIds };
}
