// A request's first batch, sent apart from its stream (GenerateHandle.firstApart, WorkerListener.first):
// it comes on the worker's listener port, so it can arrive before the generate() reply that announces
// it, and a worker the request was taken from may still send one. The job reads the stream only once
// the first batch has come and been handed out (the run-ahead contract, src/shared/protocol.ts).
import type { StreamBatch } from '../shared/protocol.js';
import type { Connection } from './worker-connection.js';

export class FirstBatch {
  /** The worker whose first batch is awaited. */
  private from: Connection | undefined;
  /** A first batch that came before the reply (another port). */
  private early: { connection: Connection; batch: StreamBatch } | undefined;

  /** The stream is awaited while the first batch is. */
  get awaited(): boolean {
    return this.from !== undefined;
  }

  /** A stream from `connection` is attached; returns its first batch if that came early. */
  attached(connection: Connection, firstApart: boolean): StreamBatch | undefined {
    this.from = firstApart ? connection : undefined;
    const early = this.early;
    this.early = undefined;
    return early && this.received(early.connection, early.batch, true);
  }

  /** A first batch from `connection`: returns it when it is the awaited one; kept while no stream is attached. */
  received(connection: Connection, batch: StreamBatch, attached: boolean): StreamBatch | undefined {
    if (!attached) {
      this.early = { connection, batch }; // the reply is on its way
      return undefined;
    }
    if (this.from !== connection) return undefined; // from a worker the job no longer reads
    this.from = undefined;
    return batch;
  }

  reset(): void {
    this.from = undefined;
    this.early = undefined;
  }
}
