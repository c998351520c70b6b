// The message box: Enter sends, Shift+Enter makes a new line, Escape stops; Send turns into Stop
// while an answer streams. Settings are read per message.
import type { TurnSettings } from './conversation.js';

export interface ComposerElements {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  stop: HTMLButtonElement;
  temperature: HTMLInputElement;
  maxTokens: HTMLInputElement;
}

export interface ComposerActions {
  send(text: string, settings: TurnSettings): void;
  stop(): void;
}

/** An empty field means "not set": the request leaves the parameter out. */
const numberOrUndefined = (input: HTMLInputElement): number | undefined =>
  input.value.trim() === '' || Number.isNaN(input.valueAsNumber) ? undefined : input.valueAsNumber;

export class Composer {
  private busy = false;

  constructor(
    private readonly el: ComposerElements,
    private readonly actions: ComposerActions,
  ) {
    el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    el.input.addEventListener('keydown', (event) => {
      // Not while an input method is composing: there Enter confirms the composition.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.busy) {
        event.preventDefault();
        actions.stop();
      }
    });
    el.stop.addEventListener('click', () => actions.stop());
  }

  /** Sends `text` as if typed. */
  say(text: string): void {
    this.el.input.value = text;
    this.submit();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    const hadFocus = document.activeElement === this.el.send || document.activeElement === this.el.stop;
    this.el.send.hidden = busy;
    this.el.stop.hidden = !busy;
    // The focused button just disappeared: the focus goes where the next message is typed.
    if (hadFocus) this.focus();
  }

  focus(): void {
    this.el.input.focus();
  }

  private submit(): void {
    const text = this.el.input.value.trim();
    if (this.busy || text === '') return;
    const settings: TurnSettings = {};
    const temperature = numberOrUndefined(this.el.temperature);
    const maxTokens = numberOrUndefined(this.el.maxTokens);
    if (temperature !== undefined) settings.temperature = temperature;
    if (maxTokens !== undefined) settings.max_tokens = maxTokens;
    this.el.input.value = '';
    this.actions.send(text, settings);
  }
}
