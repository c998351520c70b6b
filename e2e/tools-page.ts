// A page with the library and the clients whose tools and structured-output helpers
// e2e/tools.spec.ts drives: the `openai` SDK, the Vercel AI SDK and LangChain.js.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, jsonSchema, streamObject, streamText, tool } from 'ai';
import OpenAI from 'openai';
import * as zstream from '../src/index.js';

const toolClients = { OpenAI, ChatOpenAI, createOpenAICompatible, generateObject, generateText, jsonSchema, streamObject, streamText, tool };

declare global {
  interface Window {
    toolClients: typeof toolClients;
  }
}

window.zstream = zstream;
window.OpenAI = OpenAI;
window.toolClients = toolClients;
window.harnessReady = true;
