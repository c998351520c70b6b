// Grammar-constrained decoding: before each token is sampled, the logits of every token the
// grammar cannot accept next become -Infinity; after it, the grammar advances by that token.
// Compilation starts when the request is prepared and is awaited only before the first mask,
// so it runs while the prompt is prefilled.
import type { GrammarSpec, StructuralTagFormat } from './grammar-spec.js';
import type { GrammarMatcher } from '@mlc-ai/web-xgrammar';
import { ZStreamError } from '../../src/shared/errors.js';
import { grammarCompiler, xgrammar, type VocabularyInfo } from './xgrammar.js';

type Matcher = GrammarMatcher;

export class TokenMask {
  private matcher: Matcher | undefined;
  private disposed = false;

  private constructor(private readonly ready: Promise<Matcher>) {
    // A compile error surfaces at the first mask(); until then nobody awaits it.
    ready.catch(() => undefined);
  }

  /** Starts compiling `spec` for the vocabulary; returns at once. */
  static compile(vocabulary: VocabularyInfo, spec: GrammarSpec): TokenMask {
    return new TokenMask(
      (async () => {
        const compiler = await grammarCompiler(vocabulary);
        // Compact one-line JSON (", " and ": ") everywhere: with free whitespace a small model can
        // spend every token on blanks. json_object is any object (strict mode off: any keys).
        const compiled = spec.kind === 'json_object'
          ? await compiler.compileJSONSchema(JSON.stringify({ type: 'object' }), false, -1, undefined, false)
          : spec.kind === 'json_schema'
            ? await compiler.compileJSONSchema(JSON.stringify(spec.schema), false, -1)
            : await compiler.compileStructuralTag({ type: 'structural_tag', format: await compactArguments(spec.format) });
        return xgrammar().GrammarMatcher.createGrammarMatcher(compiled);
      })().catch((error: unknown) => {
        throw grammarRejected(spec, error);
      }),
    );
  }

  /** Sets the logits of tokens the grammar rejects to -Infinity, in place. */
  async apply(logits: Float32Array): Promise<void> {
    this.matcher ??= await this.ready;
    const bitmask = await this.matcher.getNextTokenBitmask();
    applyBitmask(logits, bitmask);
  }

  /** Advances the grammar by the sampled token. */
  accept(token: number): void {
    if (!this.matcher?.acceptToken(token)) throw new Error(`the grammar rejected token ${token}`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.ready.then((matcher) => matcher.dispose(), () => undefined);
  }
}

/**
 * A schema the HTTP layer's check let through but xgrammar cannot compile (its WASM aborts): the
 * request's own fault, a 400 for it alone; the model and the worker are fine (model-worker.ts).
 */
function grammarRejected(spec: GrammarSpec, error: unknown): ZStreamError {
  const detail = error instanceof Error ? error.message : String(error);
  const [what, param] = spec.kind === 'structural_tag' ? ['tools', 'tools'] : ['response_format', 'response_format'];
  return new ZStreamError('invalid_request', `Invalid schema for ${what}: the grammar engine could not compile it (${detail}).`, { param, cause: error });
}

/**
 * Every JSON schema in a structural tag (call arguments, an answer's format) as a compact-JSON
 * grammar: xgrammar's `json_schema` element allows any whitespace.
 */
async function compactArguments(format: StructuralTagFormat): Promise<unknown> {
  const { Testings } = xgrammar();
  const compact = async (node: unknown): Promise<unknown> => {
    if (Array.isArray(node)) return Promise.all(node.map(compact));
    if (typeof node !== 'object' || node === null) return node;
    const entries = Object.entries(node);
    const schema = entries.find(([key]) => key === 'json_schema')?.[1];
    if (entries.some(([key, value]) => key === 'type' && value === 'json_schema')) {
      return { type: 'grammar', grammar: await Testings._jsonSchemaToEBNF(JSON.stringify(schema), false, -1) };
    }
    return Object.fromEntries(await Promise.all(entries.map(async ([key, value]) => [key, await compact(value)])));
  };
  return compact(format);
}

/** xgrammar's bitmask: bit `i % 32` of word `i / 32` is set when token `i` is allowed. */
export function applyBitmask(logits: Float32Array, bitmask: Int32Array): void {
  const words = Math.min(bitmask.length, Math.ceil(logits.length / 32));
  for (let w = 0; w < words; w++) {
    const bits = bitmask[w]!;
    if (bits === -1) continue;
    const base = w * 32;
    const end = Math.min(32, logits.length - base);
    if (bits === 0) logits.fill(-Infinity, base, base + end);
    else for (let b = 0; b < end; b++) if ((bits & (1 << b)) === 0) logits[base + b] = -Infinity;
  }
  // Logits past the bitmask (padding beyond the vocabulary) are never allowed.
  if (words * 32 < logits.length) logits.fill(-Infinity, words * 32);
}
