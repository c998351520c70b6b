// Comlink's default 'throw' handler reduces errors to {name, message, stack}. This one keeps a
// ZStreamError's code and param, so the main thread rethrows the same error the worker threw.
// Both sides install it before their first call.
import { transferHandlers, type TransferHandler } from 'comlink';
import { ZStreamError } from './errors.js';
import type { SerializedError } from './protocol.js';

type Thrown = { value: unknown };
type WireError =
  | { kind: 'zstream'; error: SerializedError }
  | { kind: 'error'; name: string; message: string; stack: string | undefined }
  | { kind: 'value'; value: unknown };

export function installErrorTransfer(): void {
  const original = transferHandlers.get('throw');
  if (!original) throw new Error("comlink has no 'throw' transfer handler to replace");
  if ((original as { zstream?: true }).zstream) return;
  const handler: TransferHandler<Thrown, WireError> & { zstream: true } = {
    zstream: true,
    // The original recognises Comlink's private "thrown" marker.
    canHandle: (value): value is Thrown => original.canHandle(value),
    serialize: ({ value }) => {
      if (value instanceof ZStreamError) return [{ kind: 'zstream', error: value.serialize() }, []];
      if (value instanceof Error) return [{ kind: 'error', name: value.name, message: value.message, stack: value.stack }, []];
      return [{ kind: 'value', value }, []];
    },
    deserialize: (wire) => {
      if (wire.kind === 'zstream') throw ZStreamError.deserialize(wire.error);
      if (wire.kind === 'error') throw Object.assign(new Error(wire.message), { name: wire.name, stack: wire.stack });
      throw wire.value;
    },
  };
  transferHandlers.set('throw', handler);
}
