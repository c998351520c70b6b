// A multi-turn chat through the official `openai` SDK, on chat completions or the Responses API:
// each turn streams one answer, measures time to first token and tokens per second, and reads
// token usage from the stream's end.
import type { ChatCompletionMessageParam, CompletionUsage } from 'openai/resources';
import { openAnswerStream, type Api } from './answer-stream.js';
import type { AnswerView, ConversationView } from './conversation-view.js';
import { describeError, formatCount, formatMs } from './format.js';
import type { Loaded, ModelSession } from './session.js';

export interface TurnSettings {
  temperature?: number;
  max_tokens?: number;
}

interface Turn {
  content: string;
  answer: AnswerView;
  /** Aborts the request before its stream exists. */
  abort: AbortController;
  stream?: { controller: AbortController };
  /** Set once, when the turn ends; later outcomes of the same turn are ignored. */
  end?: 'done' | 'stopped' | 'failed';
}

interface Timing {
  started: number;
  firstToken?: number;
  lastToken?: number;
  chunks: number;
}

export class Conversation {
  private history: ChatCompletionMessageParam[] = [];
  private active: Turn | undefined;

  constructor(
    private readonly session: ModelSession,
    private readonly view: ConversationView,
    private readonly onBusy: (busy: boolean) => void,
    /** Which API the next turn uses. */
    private readonly api: () => Api = () => 'chat',
  ) {}

  async send(content: string, settings: TurnSettings): Promise<void> {
    if (this.active) return;
    this.view.addUser(content);
    const turn: Turn = { content, answer: this.view.addAnswer(), abort: new AbortController() };
    this.active = turn;
    this.onBusy(true);
    const messages: ChatCompletionMessageParam[] = [...this.history, { role: 'user', content }];

    const loaded = await this.session.ready.catch(() => undefined);
    if (!loaded) {
      this.fail(turn, 'No model to answer', 'The model did not load (see above). Pick a model to try again.');
      return;
    }
    if (turn.end) {
      turn.answer.setStats('Stopped before the model was ready', '');
      return;
    }
    const timing: Timing = { started: performance.now(), chunks: 0 };
    const outcome = await this.stream(turn, loaded, { messages, ...settings }, timing);
    if (outcome && !turn.end) {
      turn.answer.end();
      await turn.answer.settled;
    }
    // Stopped while streaming, or while the last words were still being shown.
    if (turn.end === 'stopped') turn.answer.setStats(...stoppedStats(timing));
    else if (outcome && !turn.end) {
      this.finish(turn, 'done');
      turn.answer.setStats(...answerStats(timing, outcome.usage, outcome.finishReason));
    }
  }

  /** Streams one answer into the view; undefined when it failed (the error is shown) or was stopped. */
  private async stream(
    turn: Turn,
    loaded: Loaded,
    params: TurnSettings & { messages: ChatCompletionMessageParam[] },
    timing: Timing,
  ): Promise<{ usage: CompletionUsage | undefined; finishReason: string | null } | undefined> {
    let usage: CompletionUsage | undefined;
    let finishReason: string | null = null;
    try {
      const stream = await openAnswerStream(loaded.client, this.api(), { model: loaded.engine.model.id, ...params }, turn.abort.signal);
      turn.stream = stream;
      for await (const { text, usage: reported, finishReason: reason } of stream) {
        if (text) {
          timing.firstToken ??= performance.now();
          timing.lastToken = performance.now();
          timing.chunks++;
          turn.answer.push(text);
        }
        finishReason = reason ?? finishReason;
        if (reported) usage = reported;
        if (turn.end) break; // stopped: breaking out aborts the request, as the SDK documents
      }
    } catch (error) {
      // A stopped turn's request rejects with the SDK's abort error: nothing to report.
      if (!turn.end) {
        const { title, detail } = describeError(error);
        this.fail(turn, title, detail);
      }
      return undefined;
    }
    return turn.end ? undefined : { usage, finishReason };
  }

  /** Ends the answer at once: the request is aborted, which cancels the generation in the worker. */
  stop(): void {
    const turn = this.active;
    if (!turn) return;
    // The SDK's own handle on the request once the stream exists; the signal before that.
    if (turn.stream) turn.stream.controller.abort();
    else turn.abort.abort();
    turn.answer.stop();
    this.finish(turn, 'stopped');
  }

  clear(): void {
    this.stop();
    this.history = [];
    this.view.clear();
  }

  /** Records the turn; what the reader saw is what the model will see as its own words next time. */
  private finish(turn: Turn, end: 'done' | 'stopped'): void {
    if (turn.end) return;
    turn.end = end;
    this.history.push({ role: 'user', content: turn.content });
    const answer = turn.answer.visibleText;
    if (answer) this.history.push({ role: 'assistant', content: answer });
    this.release(turn);
  }

  /** A failed turn stays out of the history: the next request must not repeat it. */
  private fail(turn: Turn, title: string, detail: string): void {
    if (turn.end) return;
    turn.end = 'failed';
    turn.answer.fail();
    this.view.addError(title, detail);
    this.release(turn);
  }

  private release(turn: Turn): void {
    if (this.active !== turn) return;
    this.active = undefined;
    this.onBusy(false);
  }
}

type Stats = [text: string, title: string];

function answerStats(timing: Timing, usage: CompletionUsage | undefined, finishReason: string | null): Stats {
  const parts: string[] = [];
  const notes: string[] = [];
  if (timing.firstToken !== undefined) {
    parts.push(`TTFT ${formatMs(timing.firstToken - timing.started)}`);
    notes.push('TTFT: from sending the request to the first text');
  }
  const tokens = usage?.completion_tokens ?? 0;
  const decodeMs = (timing.lastToken ?? 0) - (timing.firstToken ?? 0);
  if (tokens > 1 && decodeMs > 0) {
    parts.push(`${formatCount(((tokens - 1) / decodeMs) * 1000)} tok/s`);
    notes.push('tok/s: tokens after the first, over the time from first to last text');
  }
  if (usage) {
    parts.push(`${formatCount(usage.prompt_tokens)} prompt + ${formatCount(usage.completion_tokens)} completion tokens`);
    notes.push('tokens: the usage reported on the last chunk');
  }
  if (finishReason === 'length') parts.push('cut off at max tokens');
  return [parts.join(' · '), notes.join('\n')];
}

function stoppedStats(timing: Timing): Stats {
  const parts = ['Stopped'];
  if (timing.firstToken !== undefined) parts.push(`TTFT ${formatMs(timing.firstToken - timing.started)}`);
  parts.push(`${formatCount(timing.chunks)} chunks received`);
  return [parts.join(' · '), 'Stopped before the end: no usage was reported for this answer'];
}
