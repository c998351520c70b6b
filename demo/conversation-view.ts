// The conversation's DOM: user messages, streaming answers (typing indicator, paced words, a
// blinking cursor, stats) and readable errors. It sits in a role="log" live region, and text is
// appended as new nodes, so screen readers hear each new word group once.
import { WordPacer } from './word-pacer.js';

export type AnswerState = 'waiting' | 'streaming' | 'done' | 'stopped' | 'failed';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class ConversationView {
  constructor(
    private readonly log: HTMLElement,
    private readonly scroller: HTMLElement,
    private readonly intro: HTMLElement,
  ) {}

  addUser(text: string): void {
    const message = element('article', 'message user');
    message.append(element('h3', 'visually-hidden', 'You said:'), element('div', 'text', text));
    this.append(message);
  }

  addAnswer(): AnswerView {
    const message = element('article', 'message assistant');
    this.append(message);
    return new AnswerView(message, () => this.follow());
  }

  /** An error as a message of its own; `action` offers the obvious next step. */
  addError(title: string, detail: string, action?: { label: string; run: () => void }): void {
    const message = element('article', 'message error');
    message.setAttribute('role', 'alert');
    message.append(element('strong', 'error-title', title), element('p', 'error-detail', detail));
    if (action) {
      const button = element('button', 'quiet', action.label);
      button.type = 'button';
      button.addEventListener('click', () => {
        button.disabled = true;
        action.run();
      });
      message.append(button);
    }
    this.append(message);
  }

  clear(): void {
    this.log.replaceChildren();
    this.intro.hidden = false;
  }

  private append(node: HTMLElement): void {
    this.intro.hidden = true;
    this.log.append(node);
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** Keeps the newest text in view, unless the reader has scrolled up to read something older. */
  private follow(): void {
    const { scrollTop, scrollHeight, clientHeight } = this.scroller;
    if (scrollHeight - scrollTop - clientHeight < 120) this.scroller.scrollTop = scrollHeight;
  }
}

/** One assistant answer: fed by the stream, shown word by word at a steady pace. */
export class AnswerView {
  private readonly pacer = new WordPacer();
  private readonly text = element('div', 'text');
  private readonly stats = element('p', 'stats');
  private frame: number | undefined;
  private lastFrame = 0;
  private shown = '';
  private settle: () => void = () => undefined;
  /** Resolves once everything received has been shown (or dropped by stop). */
  readonly settled = new Promise<void>((resolve) => (this.settle = resolve));

  constructor(
    private readonly message: HTMLElement,
    private readonly follow: () => void,
  ) {
    const dots = element('span', 'dots');
    dots.setAttribute('aria-hidden', 'true');
    dots.append(element('span', ''), element('span', ''), element('span', ''));
    const typing = element('span', 'typing');
    typing.append(element('span', 'visually-hidden', 'The model is thinking…'), dots);
    message.append(element('h3', 'visually-hidden', 'The model said:'), typing, this.text, this.stats);
    this.setState('waiting');
  }

  /** What the reader has seen so far. */
  get visibleText(): string {
    return this.shown;
  }

  push(delta: string): void {
    this.pacer.push(delta);
    this.schedule();
  }

  /** The stream ended: show the rest, then settle. */
  end(): void {
    this.pacer.end();
    this.schedule();
  }

  /** Stop now: what was shown stays, the rest is dropped. */
  stop(): void {
    this.pacer.discard();
    this.finish('stopped');
  }

  /** An error message follows; an answer that had not shown any text leaves the conversation. */
  fail(): void {
    this.pacer.discard();
    this.finish('failed');
    if (this.shown === '') this.message.remove();
  }

  setStats(text: string, title: string): void {
    this.stats.textContent = text;
    this.stats.title = title;
    this.follow();
  }

  private schedule(): void {
    if (this.frame !== undefined || this.isFinal()) return;
    this.lastFrame = performance.now();
    this.frame = requestAnimationFrame((now) => this.render(now));
  }

  private render(now: number): void {
    this.frame = undefined;
    const text = this.pacer.take(Math.max(0, now - this.lastFrame));
    this.lastFrame = now;
    if (text) {
      // A new text node per word group: the live region announces additions, not the whole answer.
      this.text.append(text);
      this.shown += text;
      if (this.state() === 'waiting') this.setState('streaming');
      this.follow();
    }
    if (this.pacer.done) this.finish('done');
    else this.frame = requestAnimationFrame((t) => this.render(t));
  }

  private finish(state: AnswerState): void {
    if (this.isFinal()) return;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.setState(state);
    this.settle();
  }

  private state(): AnswerState {
    return this.message.dataset['state'] as AnswerState;
  }

  private isFinal(): boolean {
    const state = this.state();
    return state === 'done' || state === 'stopped' || state === 'failed';
  }

  private setState(state: AnswerState): void {
    // No aria-busy while streaming: the words are meant to be announced as they arrive.
    this.message.dataset['state'] = state;
  }
}
