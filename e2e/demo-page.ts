// Driving the demo page (index.html) as a person does: by role and label, the keyboard and clicks.
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures.js';

export class DemoPage {
  readonly input: Locator;
  readonly send: Locator;
  readonly stop: Locator;
  readonly log: Locator;
  readonly answers: Locator;
  readonly errors: Locator;
  readonly load: Locator;
  readonly loadText: Locator;

  constructor(readonly page: Page) {
    this.input = page.getByRole('textbox', { name: 'Message' });
    this.send = page.getByRole('button', { name: 'Send', exact: true });
    this.stop = page.getByRole('button', { name: 'Stop', exact: true });
    this.log = page.getByRole('log', { name: 'Conversation' });
    this.answers = this.log.locator('.message.assistant');
    this.errors = this.log.getByRole('alert');
    this.load = page.locator('#load');
    this.loadText = page.getByRole('status');
  }

  /** Opens the page (`query` picks model and device) and waits until the model is ready. */
  async open(query: string): Promise<void> {
    await this.page.goto(`/${query}`);
    await this.ready();
  }

  /**
   * Waits for the load to end, bounded by the test's own timeout only: how long a load takes is the
   * benchmark's to judge (bench/), not a test's. On SwiftShader a WebGPU load compiles every shader
   * on the CPU: 24 s on a 2-core machine, over 30 s (the default wait) on a slower one.
   */
  async ready(): Promise<void> {
    await expect(this.load).toHaveAttribute('data-phase', 'ready', { timeout: 0 });
  }

  /** Types `text` and presses Enter, as a person sends a message. */
  async say(text: string): Promise<void> {
    await this.input.fill(text);
    await this.input.press('Enter');
  }

  answer(index: number): Locator {
    return index < 0 ? this.answers.last() : this.answers.nth(index);
  }

  /** Waits for the answer to finish streaming and returns its text and stats line. */
  async finished(index = -1): Promise<{ text: string; stats: string }> {
    const answer = this.answer(index);
    await expect(answer).toHaveAttribute('data-state', 'done');
    return { text: await answer.locator('.text').innerText(), stats: await answer.locator('.stats').innerText() };
  }

  /**
   * Records, from inside the page, every state and text the newest answer goes through, and
   * whether the cursor shows while it streams: the test sees what a viewer saw, frame by frame.
   */
  async recordNextAnswer(): Promise<() => Promise<AnswerRecording>> {
    await this.page.evaluate(() => {
      const seen: AnswerRecording = { states: [], texts: [], cursorWhileStreaming: [], typingShownBeforeText: false };
      (window as unknown as { recording: AnswerRecording }).recording = seen;
      const before = document.querySelectorAll('.message.assistant').length;
      const observer = new MutationObserver(() => {
        const answer = document.querySelectorAll<HTMLElement>('.message.assistant')[before];
        if (!answer) return;
        const state = answer.dataset['state'] ?? '';
        const text = answer.querySelector('.text')?.textContent ?? '';
        if (seen.states.at(-1) !== state) seen.states.push(state);
        if (seen.texts.at(-1) !== text) seen.texts.push(text);
        const typing = answer.querySelector('.typing');
        if (state === 'waiting' && text === '' && typing && getComputedStyle(typing).display !== 'none') seen.typingShownBeforeText = true;
        if (state === 'streaming') seen.cursorWhileStreaming.push(getComputedStyle(answer.querySelector('.text')!, '::after').content);
      });
      observer.observe(document.getElementById('conversation')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    return () => this.page.evaluate(() => (window as unknown as { recording: AnswerRecording }).recording);
  }
}

export interface AnswerRecording {
  states: string[];
  texts: string[];
  cursorWhileStreaming: string[];
  typingShownBeforeText: boolean;
}

/** The numbers of a finished answer's stats line. */
export function parseStats(stats: string) {
  const match = /^TTFT ([\d.]+) (ms|s) · ([\d,]+) tok\/s · ([\d,]+) prompt \+ ([\d,]+) completion tokens/.exec(stats);
  expect(match, `stats line: ${stats}`).not.toBeNull();
  const n = (s: string | undefined) => Number((s ?? '').replaceAll(',', ''));
  return {
    ttftMs: n(match?.[1]) * (match?.[2] === 's' ? 1000 : 1),
    tokensPerSecond: n(match?.[3]),
    promptTokens: n(match?.[4]),
    completionTokens: n(match?.[5]),
  };
}
