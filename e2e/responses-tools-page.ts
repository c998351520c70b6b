// A page with the library and the clients whose Responses API tools and structured-output helpers
// e2e/responses-tools.spec.ts drives: the `openai` SDK, the Vercel AI SDK's default OpenAI model
// (@ai-sdk/openai, Responses) and LangChain.js with useResponsesApi.
import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, jsonSchema, tool } from 'ai';
import OpenAI from 'openai';
import * as zstream from '../src/index.js';

const responsesClients = { OpenAI, ChatOpenAI, createOpenAI, generateObject, generateText, jsonSchema, tool };

declare global {
  interface Window {
    responsesClients: typeof responsesClients;
  }
}

window.zstream = zstream;
window.OpenAI = OpenAI;
window.responsesClients = responsesClients;
window.harnessReady = true;
