// One request's decoding on WebLLM, pull-based: WebLLM's stream is an async generator that runs
// one decode step per `next()`, so a reader that stops pauses the GPU (backpressure as with
// transformers.js). Closing interrupts this request only: the scheduler runs one WebLLM request
// at a time (WebLLMBackend.maxConcurrent), and WebLLM clears its engine-wide interrupt flag
// when the next generation starts.
import type { BackendStep, TokenCounts, TokenStream } from '../backend.js';
import { normalizeChunk, type WebLLMChunk } from './chunks.js';
import { fromWebLLMError } from './errors.js';

/** The part of MLCEngine a generation uses (web-llm src/engine.ts). */
export interface WebLLMGenerationControl {
  /** Empties the KV cache and the conversation, so that the request's whole prompt is prefilled. */
  resetChat(): Promise<void>;
  /** Raises WebLLM's interrupt flag: the running generation stops before its next decode step. */
  interruptGenerate(): Promise<void>;
}

export class WebLLMTokenStream implements TokenStream {
  private started = false;
  /** WebLLM sent its finish chunk: nothing left to interrupt. */
  private ended = false;
  /** The generator is exhausted. */
  private done = false;
  private closed = false;
  private counts: TokenCounts | undefined;
  private inFlight: Promise<BackendStep> | undefined;

  constructor(
    private readonly engine: WebLLMGenerationControl,
    private readonly chunks: AsyncIterator<WebLLMChunk>,
  ) {}

  next(): Promise<BackendStep> {
    if (this.closed || this.done) return Promise.resolve({ kind: 'end', reason: 'stop' });
    this.inFlight = this.step();
    return this.inFlight;
  }

  async close(): Promise<TokenCounts | undefined> {
    if (this.closed) return this.counts;
    this.closed = true;
    if (!this.started) {
      // Never started: the generator has not run, no lock is held, nothing was decoded.
      await this.chunks.return?.();
      return undefined;
    }
    if (!this.ended && !this.done) await this.engine.interruptGenerate();
    await this.inFlight?.catch(() => undefined);
    // Drain: after the interrupt WebLLM sends its "abort" chunk and the usage, then releases its lock.
    try {
      while (!this.done) this.read(await this.chunks.next());
    } catch {
      this.done = true; // the error already reached the reader through next(), or nobody reads
    }
    return this.counts;
  }

  private async step(): Promise<BackendStep> {
    try {
      if (!this.started) {
        this.started = true;
        await this.engine.resetChat();
      }
      while (!this.done) {
        const step = this.read(await this.chunks.next());
        if (step) return step;
      }
      return { kind: 'end', reason: 'stop' };
    } catch (error) {
      this.done = true;
      throw fromWebLLMError(error);
    }
  }

  /** One chunk: a step to hand out, or undefined where the chunk only updates state. */
  private read(result: IteratorResult<WebLLMChunk>): BackendStep | undefined {
    if (result.done) {
      this.done = true;
      return undefined;
    }
    const chunk = normalizeChunk(result.value);
    if (chunk.kind === 'text') return chunk;
    if (chunk.kind === 'usage') {
      this.counts = chunk.counts;
      return undefined;
    }
    this.ended = true;
    // 'abort' only follows our own interrupt, while closing: nobody reads it.
    return chunk.reason === 'abort' ? undefined : { kind: 'end', reason: chunk.reason };
  }
}
