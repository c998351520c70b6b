// Two small examples of tools and structured outputs (docs/structured-outputs.md), each with the
// `openai` SDK through createFetch. Without `?model=`, the structured example runs the embedded
// story model (the grammar alone makes its answer valid JSON) and the tool example the
// tool-calling test model, whose one answer is a call to get_weather.
import OpenAI from 'openai';
import { EMBEDDED_MODEL, createEngine, createFetch, type DevicePreference } from '../src/index.js';
import { byId } from './dom.js';

const params = new URLSearchParams(location.search);
const DEVICES: readonly DevicePreference[] = ['auto', 'webgpu', 'wasm'];
const device = DEVICES.find((d) => d === params.get('device')) ?? 'auto';
const BASE_URL = new URL('v1', location.href).href;
/** This page sits in demo/; the app's models are one folder up. */
const MODEL_BASE_URL = new URL('../models/', location.href).href;

const clients = new Map<string, Promise<OpenAI>>();
function client(model: string): Promise<OpenAI> {
  let made = clients.get(model);
  if (!made) {
    made = createEngine({ model, device, modelBaseURL: MODEL_BASE_URL }).then(
      (engine) => new OpenAI({ baseURL: BASE_URL, apiKey: 'local', dangerouslyAllowBrowser: true, fetch: createFetch(engine, { baseURL: BASE_URL }) }),
    );
    clients.set(model, made);
  }
  return made;
}

const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string', maxLength: 20 }, celsius: { type: 'integer', minimum: -40, maximum: 50 }, sky: { enum: ['sunny', 'cloudy', 'rain'] } },
  required: ['city', 'celsius', 'sky'],
  additionalProperties: false,
};

/** The tool this page runs for the model. */
const getWeather = ({ city }: { city: string }) => ({ city, celsius: 18, sky: 'sunny' });

function run(button: HTMLButtonElement, out: HTMLElement, example: (log: (line: string) => void) => Promise<void>): void {
  button.addEventListener('click', () => {
    button.disabled = true;
    out.textContent = '';
    const log = (line: string) => (out.textContent += `${line}\n`);
    example(log).catch((error: unknown) => log(`Error: ${String(error)}`)).finally(() => (button.disabled = false));
  });
}

run(byId('structured-run', HTMLButtonElement), byId('structured-out'), async (log) => {
  log('Loading the model…');
  const openai = await client(params.get('model') ?? EMBEDDED_MODEL);
  const completion = await openai.chat.completions.parse({
    model: 'local',
    messages: [{ role: 'user', content: 'Describe the weather in a city.' }],
    max_tokens: 80,
    response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: WEATHER_SCHEMA, strict: true } },
  });
  log(JSON.stringify(completion.choices[0]?.message.parsed, null, 2));
});

run(byId('tool-run', HTMLButtonElement), byId('tool-out'), async (log) => {
  log('Loading the model…');
  const openai = await client(params.get('model') ?? 'zstream-tiny-tools');
  const tools = [{
    type: 'function' as const,
    function: { name: 'get_weather', description: 'The weather now in a city', strict: true, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
  }];
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
  log(`user: ${String(messages[0]!.content)}`);
  const first = await openai.chat.completions.create({ model: 'local', messages, tools, max_tokens: 80 });
  const message = first.choices[0]!.message;
  messages.push(message);
  for (const call of message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    log(`assistant calls ${call.function.name}(${call.function.arguments})`);
    const result = JSON.stringify(getWeather(JSON.parse(call.function.arguments) as { city: string }));
    log(`tool: ${result}`);
    messages.push({ role: 'tool', tool_call_id: call.id, content: result });
  }
  if (!message.tool_calls?.length) return log(`assistant: ${message.content ?? ''}`);
  const answer = await openai.chat.completions.create({ model: 'local', messages, max_tokens: 40 });
  log(`assistant: ${answer.choices[0]?.message.content ?? ''}`);
});
