// Typed element lookup: a missing or mistyped element in index.html fails loudly at start-up.

export function byId<T extends HTMLElement = HTMLElement>(id: string, type?: new () => T): T {
  const element = document.getElementById(id);
  if (!element || !(element instanceof (type ?? HTMLElement))) {
    throw new Error(`index.html has no ${type?.name ?? 'element'} #${id}`);
  }
  return element as T;
}
