// The load line under the header: phase, bytes and a progress bar while loading; then the device
// that runs the model, the weights, and how long the load took. Reloads (the engine restarts a
// crashed worker) show here too.
import type { LoadProgress, ModelInfo } from '../src/index.js';
import { deviceName, formatBytes, formatCount, formatMs } from './format.js';

export class LoadView {
  /** Bytes per file: transformers.js reports each file separately. */
  private files = new Map<string, { loaded: number; total: number }>();
  private started = 0;
  private ticker: number | undefined;
  /** The loaded model, once there is one: a reload ends by showing it again. */
  private info: ModelInfo | undefined;

  constructor(
    private readonly section: HTMLElement,
    private readonly text: HTMLElement,
    /** Outside the status region: a ticking clock must not be read out four times a second. */
    private readonly elapsed: HTMLElement,
    private readonly bar: HTMLProgressElement,
  ) {}

  start(model: string): void {
    this.info = undefined;
    this.begin(`Loading ${model}…`);
  }

  progress(p: LoadProgress): void {
    if (this.ticker === undefined) {
      // Progress after the model was ready: the engine is reloading it.
      if (p.phase === 'ready') return;
      this.begin('Reloading the model…');
    }
    this.section.dataset['phase'] = p.phase;
    if (p.phase === 'download' && p.file) {
      this.files.set(p.file, { loaded: p.loaded, total: p.total });
      this.showBytes();
      const size = p.total > 0 ? `${formatBytes(p.loaded)} of ${formatBytes(p.total)}` : formatBytes(p.loaded);
      this.text.textContent = `Downloading ${p.file} · ${size}`;
    } else if (p.phase === 'compile') {
      // Counts here are shader modules (WebLLM), where the backend reports them.
      this.setBar(p.loaded, p.total);
      const count = p.total > 0 ? ` · ${formatCount(p.loaded)} of ${formatCount(p.total)}` : '';
      this.text.textContent = `Compiling ${p.file ?? 'the model'}${count}…`;
    } else if (p.phase === 'warmup') {
      this.setBar(0, 0);
      this.text.textContent = 'Warming up: a first run compiles the kernels…';
    } else if (this.info) {
      this.ready(this.info, performance.now() - this.started);
    }
  }

  ready(model: ModelInfo, loadMs: number): void {
    this.stopTicker();
    this.info = model;
    this.section.dataset['phase'] = 'ready';
    this.section.dataset['device'] = model.device;
    this.bar.hidden = true;
    const fallback = model.fallbackReason ? ` · ${model.fallbackReason}` : '';
    this.text.replaceChildren(
      badge(deviceName(model.device)),
      ` ${model.id} (${model.weights}) · ${formatCount(model.contextLength)}-token context · loaded in ${formatMs(loadMs)}${fallback}`,
    );
  }

  failed(model: string): void {
    this.stopTicker();
    this.section.dataset['phase'] = 'failed';
    this.bar.hidden = true;
    this.text.textContent = `${model} did not load. The conversation says why; pick a model to try again.`;
  }

  private begin(text: string): void {
    this.files.clear();
    this.started = performance.now();
    this.section.dataset['phase'] = 'start';
    this.bar.hidden = false;
    this.setBar(0, 0);
    this.text.textContent = text;
    // The elapsed time keeps moving while a phase reports nothing (compiling, warming up).
    this.tick();
    window.clearInterval(this.ticker);
    this.ticker = window.setInterval(() => this.tick(), 250);
  }

  /** All files together: the bar fills once, not once per file. */
  private showBytes(): void {
    let loaded = 0;
    let total = 0;
    for (const file of this.files.values()) {
      loaded += file.loaded;
      total += file.total;
    }
    this.setBar(loaded, total);
  }

  /** A determinate bar where the amount is known, else an indeterminate one. */
  private setBar(loaded: number, total: number): void {
    if (total > 0) {
      this.bar.max = total;
      this.bar.value = loaded;
    } else {
      this.bar.removeAttribute('value');
    }
  }

  private tick(): void {
    this.elapsed.textContent = formatMs(performance.now() - this.started);
  }

  private stopTicker(): void {
    window.clearInterval(this.ticker);
    this.ticker = undefined;
    this.elapsed.textContent = '';
  }
}

function badge(text: string): HTMLElement {
  const span = document.createElement('span');
  span.className = 'badge';
  span.textContent = text;
  return span;
}
