// Stored responses, for previous_response_id, GET/DELETE /responses/{id} and input_items: in
// memory, one store per engine, bounded. The least recently used response goes first once the
// store holds RESPONSE_STORE_LIMIT of them (reading a response, or continuing it, counts as use).
// Nothing survives a page reload; `store: false` responses are never kept.
import type { InputItem } from './responses-request.js';
import type { ResponseItem, ResponseObject } from './responses-wire.js';

export const RESPONSE_STORE_LIMIT = 100;

export interface StoredResponse {
  response: ResponseObject;
  /** This request's input items, as GET /responses/{id}/input_items lists them. */
  inputItems: ResponseItem[];
  /** The conversation so far, this response's output included: what previous_response_id continues (instructions excluded, as OpenAI does). */
  conversation: InputItem[];
}

export class ResponseStore {
  /** A Map iterates in insertion order: re-inserting on use keeps the least recently used first. */
  private readonly responses = new Map<string, StoredResponse>();

  constructor(private readonly limit = RESPONSE_STORE_LIMIT) {}

  get(id: string): StoredResponse | undefined {
    const stored = this.responses.get(id);
    if (stored) {
      this.responses.delete(id);
      this.responses.set(id, stored);
    }
    return stored;
  }

  set(stored: StoredResponse): void {
    this.responses.delete(stored.response.id);
    this.responses.set(stored.response.id, stored);
    for (const id of this.responses.keys()) {
      if (this.responses.size <= this.limit) break;
      this.responses.delete(id);
    }
  }

  delete(id: string): boolean {
    return this.responses.delete(id);
  }

  /** An input or output item of any stored response, for `item_reference` inputs. */
  findItem(id: string): ResponseItem | undefined {
    for (const { response, inputItems } of this.responses.values()) {
      const item = response.output.find((i) => i.id === id) ?? inputItems.find((i) => i.id === id);
      if (item) return item;
    }
    return undefined;
  }

  get size(): number {
    return this.responses.size;
  }
}

const stores = new WeakMap<object, ResponseStore>();

/** The store of `engine`: every fetch function serving that engine shares it. */
export function responseStore(engine: object): ResponseStore {
  let store = stores.get(engine);
  if (!store) {
    store = new ResponseStore();
    stores.set(engine, store);
  }
  return store;
}
