// A page with the library and the real clients people use against OpenAI, unchanged, for
// e2e/clients.spec.ts: the `openai` SDK, the Vercel AI SDK and LangChain.js.
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import * as zstream from '../src/index.js';

const clients = { OpenAI, ChatOpenAI, createOpenAI, createOpenAICompatible, generateText, streamText };

declare global {
  interface Window {
    clients: typeof clients;
  }
}

window.zstream = zstream;
window.OpenAI = OpenAI;
window.clients = clients;
window.harnessReady = true;
