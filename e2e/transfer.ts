// An init script that makes this page a browser without transferable streams (as Safari was):
// postMessage throws DataCloneError for a ReadableStream in its transfer list. The engine's feature
// detection (src/engine/supports.ts) then fails and it pulls events from the worker by id. Nothing
// of it ships: the package is unchanged, the page is.
import { expect } from '@playwright/test';

/** The page's evaluate, whichever browser runs it. */
interface Evaluates {
  evaluate<R>(fn: () => R): Promise<Awaited<R>>;
}

/** How many stream transfers the page refused; the fixture checks detection really met one. */
export interface TransferRefusals {
  streamTransfersRefused: number;
}

export function refuseStreamTransfer(): void {
  const counter = window as unknown as TransferRefusals;
  counter.streamTransfersRefused = 0;
  const guard = <T extends MessagePort | Worker>(proto: T) => {
    const post = proto.postMessage as (this: T, message: unknown, options?: Transferable[] | StructuredSerializeOptions) => void;
    proto.postMessage = function (this: T, message: unknown, options?: Transferable[] | StructuredSerializeOptions) {
      const transfer = Array.isArray(options) ? options : options?.transfer ?? [];
      if (transfer.some((t) => t instanceof ReadableStream)) {
        counter.streamTransfersRefused++;
        throw new DOMException('ReadableStream cannot be transferred in this browser.', 'DataCloneError');
      }
      post.call(this, message, options);
    } as T['postMessage'];
  };
  guard(MessagePort.prototype);
  guard(Worker.prototype);
}

/** After a test without transferable streams: the engine's detection did meet the refusal. */
export async function expectTransferRefused(page: Evaluates): Promise<void> {
  const refused = await page.evaluate(() => (window as unknown as Partial<TransferRefusals>).streamTransfersRefused);
  expect(refused, 'the engine tried a stream transfer and was refused').toBeGreaterThan(0);
}
