// With createEngine({ shared: true }) every tab of the demo chats with one model: this line says
// with how many other tabs, or why this tab runs its own worker.
import type { Engine } from '../src/index.js';

const POLL_MS = 1_500;

/** Shows the sharing state in `host` until the returned function is called. */
export function showSharing(engine: Engine, host: HTMLElement): () => void {
  const line = document.createElement('span');
  line.className = 'load-sharing';
  line.id = 'sharing';
  host.append(line);
  const update = async () => {
    if (engine.model.shared === false) {
      line.textContent = `Own worker: ${engine.model.sharedFallbackReason ?? 'not shared'}`;
      return;
    }
    const others = ((await engine.stats?.())?.connections ?? 1) - 1;
    line.textContent = others > 0 ? `Shared with ${others} other tab${others === 1 ? '' : 's'}` : 'Shared worker: open another tab to share this model';
  };
  void update();
  const timer = setInterval(() => void update().catch(() => undefined), POLL_MS);
  return () => {
    clearInterval(timer);
    line.remove();
  };
}
