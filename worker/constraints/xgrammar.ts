// Loads @mlc-ai/web-xgrammar (WebLLM's grammar engine, C++ compiled to WASM; the .wasm is inlined
// in its one JS file, so nothing is fetched) and keeps one compiler per vocabulary.
// The package ships a UMD file in a "type": "module" package: imported as an ES module it has no
// exports and sets `globalThis.xgrammar` instead; a bundler that wraps it as CommonJS gives real
// exports. Both are read here.
import * as xgrammarModule from '@mlc-ai/web-xgrammar';

export type XGrammar = typeof xgrammarModule;
type Compiler = xgrammarModule.GrammarCompiler;

export function xgrammar(): XGrammar {
  if (typeof xgrammarModule.GrammarCompiler === 'function') return xgrammarModule;
  const global = (globalThis as { xgrammar?: XGrammar }).xgrammar;
  if (!global) throw new Error('@mlc-ai/web-xgrammar did not load');
  return global;
}

/** What xgrammar needs to know of a tokenizer. */
export interface VocabularyInfo {
  /** Token strings as tokenizer.json has them, by id (a gap is ''). */
  tokens: string[];
  /** 'byte_level' (GPT-2 style), 'byte_fallback' (SentencePiece's <0xAB>) or 'raw'. */
  type: 'byte_level' | 'byte_fallback' | 'raw';
  /** Width of the logits row; can exceed the token count (padded embeddings). */
  logitsSize: number;
  stopTokenIds: number[];
}

/** One compiler per vocabulary: building it preprocesses every token (≈300 ms for 49k tokens). */
const compilers = new WeakMap<VocabularyInfo, Promise<Compiler>>();

export function grammarCompiler(vocabulary: VocabularyInfo): Promise<Compiler> {
  let compiler = compilers.get(vocabulary);
  if (!compiler) {
    const { TokenizerInfo, GrammarCompiler } = xgrammar();
    compiler = TokenizerInfo.createTokenizerInfo(vocabulary.tokens, vocabulary.type, false, vocabulary.logitsSize, vocabulary.stopTokenIds)
      .then((info) => GrammarCompiler.createGrammarCompiler(info, true));
    compilers.set(vocabulary, compiler);
  }
  return compiler;
}
