// A task boundary: resolves once the worker's event loop has run the tasks already queued (messages
// from the main thread among them). Awaiting a promise is not one: a backend whose steps finish in
// microtasks (ONNX Runtime on WASM computes synchronously) would otherwise never let the worker read
// a message until generation waits for something (docs/throughput.md).
//
// `scheduler.postTask` where there is one (Chromium, Firefox): a task of normal priority, queued after
// the messages already waiting. Not `scheduler.yield()`: its continuation is meant to run *before*
// other queued tasks (measured in Chromium: the messages still waited). Node (the unit tests):
// `setImmediate`, a later task, though a message posted in the same turn of Node's loop may be read
// only after it (next-task.test.ts). Elsewhere (Safari) a message to itself on a MessageChannel.
// Not `setTimeout(0)`: nested timeouts wait 4 ms.

let channel: { post(): void; queue: Array<() => void> } | undefined;

function messageChannel(): NonNullable<typeof channel> {
  const { port1, port2 } = new MessageChannel();
  const queue: Array<() => void> = [];
  port1.onmessage = () => queue.shift()?.();
  return { post: () => port2.postMessage(null), queue };
}

export function nextTask(): Promise<void> {
  if (typeof scheduler !== 'undefined' && typeof scheduler.postTask === 'function') return scheduler.postTask(() => undefined);
  if ('setImmediate' in globalThis && typeof globalThis.setImmediate === 'function') {
    const immediate = globalThis.setImmediate;
    return new Promise((resolve) => immediate(resolve));
  }
  channel ??= messageChannel();
  const { post, queue } = channel;
  return new Promise((resolve) => {
    queue.push(resolve);
    post();
  });
}
