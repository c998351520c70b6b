// The five ways a careless client leaves a request unread (issue #12 §1), made in the page so that
// e2e/idle-readers.spec.ts can show that none of them holds the model. The harness puts them on
// `window.idleMistakes`.
import OpenAI from 'openai';
import { createFetch, type Engine } from '../src/index.js';

export const MISTAKES = [
  'body never read',
  'body read once, then dropped',
  'chatStream left after one next()',
  'SDK stream never iterated',
  'chat with a throwing onToken',
] as const;
export type Mistake = (typeof MISTAKES)[number];

const BASE = 'http://localhost:8000/v1';
const MESSAGES = [{ role: 'user' as const, content: 'Tell me a story' }];
const failure = (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`;

/** What a careless client kept, read again to its end: the text, or `error: …`; none when it let go of everything. */
export type LeftOver = () => Promise<string>;

/**
 * Makes `mistake` on `engine` and returns once its request is queued (or, for chat, failed). With
 * `keep` false, nothing of it stays reachable: only the engine can notice it.
 */
export async function makeMistake(mistake: Mistake, engine: Engine, keep: boolean): Promise<LeftOver | undefined> {
  const fetch = createFetch(engine, { baseURL: BASE });
  const post = () => fetch(`${BASE}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, messages: MESSAGES }) });
  switch (mistake) {
    case 'body never read': {
      const response = await post();
      return keep ? () => response.text() : undefined;
    }
    case 'body read once, then dropped': {
      const reader = (await post()).body!.getReader();
      await reader.read();
      if (!keep) return undefined;
      return async () => {
        const decoder = new TextDecoder();
        let text = '';
        for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
        return text;
      };
    }
    case 'chatStream left after one next()': {
      const deltas = engine.chatStream(MESSAGES)[Symbol.asyncIterator]();
      await deltas.next();
      if (!keep) return undefined;
      return async () => {
        let text = '';
        try {
          for (let r = await deltas.next(); !r.done; r = await deltas.next()) text += r.value;
          return text;
        } catch (error) {
          return failure(error);
        }
      };
    }
    case 'SDK stream never iterated': {
      const client = new OpenAI({ baseURL: BASE, apiKey: 'x', dangerouslyAllowBrowser: true, fetch, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: MESSAGES });
      if (!keep) return undefined;
      return async () => {
        let text = '';
        try {
          for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
          return text;
        } catch (error) {
          return failure(error);
        }
      };
    }
    case 'chat with a throwing onToken': {
      const thrown = await engine.chat(MESSAGES, { onToken: () => { throw new Error('the page broke'); } }).then(() => 'returned', failure);
      return async () => thrown;
    }
  }
}
