// The demo: the official `openai` SDK, given zstream's fetch, talking to a model in this tab.
import OpenAI from 'openai';
import { createEngine, createFetch } from '../src/index.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const log = $('log');
const input = $<HTMLTextAreaElement>('input');
const send = $<HTMLButtonElement>('send');

const engine = await createEngine({
  onProgress: (p) => (status.textContent = `Loading: ${p.phase} ${p.file ?? ''} ${p.total ? `${p.loaded}/${p.total} bytes` : ''}`),
});
status.textContent = `Ready: ${engine.model.id} on ${engine.model.device}`;
send.disabled = false;

const client = new OpenAI({
  baseURL: new URL('v1', location.href).href,
  apiKey: 'local',
  dangerouslyAllowBrowser: true,
  fetch: createFetch(engine, { baseURL: new URL('v1', location.href).href }),
});

$('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const answer = document.createElement('p');
  log.append(answer);
  const stream = await client.chat.completions.create({
    model: engine.model.id,
    stream: true,
    messages: [{ role: 'user', content: input.value }],
  });
  for await (const chunk of stream) answer.textContent += chunk.choices[0]?.delta?.content ?? '';
});
