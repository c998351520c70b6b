// The worker holds a Web Lock for as long as it lives. The browser releases a terminated agent's
// locks (https://w3c.github.io/web-locks/#agent-termination) however it ended — terminate(),
// close(), a crash, out of memory — so the main thread, waiting for the same lock, learns of the
// death without polling (src/worker-connection.ts).

/** Resolves true once the lock is held, false where Web Locks are missing (insecure contexts). */
export function holdForLife(name: string): Promise<boolean> {
  const locks = navigator.locks as LockManager | undefined;
  if (!locks) return Promise.resolve(false);
  return new Promise((held, failed) => {
    locks
      .request(name, () => {
        held(true);
        return new Promise<never>(() => {}); // never settles: the lock goes with the worker
      })
      .catch(failed);
  });
}
