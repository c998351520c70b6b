// Feature detection, as msw's supports.ts: transferable streams are in Chromium and Firefox,
// not in every Safari. Without them the engine pulls events from the worker by id.
let transferable: boolean | undefined;

export function supportsReadableStreamTransfer(): boolean {
  if (transferable !== undefined) return transferable;
  try {
    const stream = new ReadableStream();
    const channel = new MessageChannel();
    channel.port1.postMessage(stream, [stream as unknown as Transferable]);
    channel.port1.close();
    channel.port2.close();
    transferable = true;
  } catch {
    transferable = false;
  }
  return transferable;
}
