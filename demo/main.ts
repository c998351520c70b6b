// The demo page: a chat with a model in this tab, through the official `openai` SDK and
// zstream's createFetch. `?model=<id>&device=auto|webgpu|wasm&shared=0` choose what loads.
import { EMBEDDED_MODEL, type DevicePreference } from '../src/index.js';
import { APIS } from './answer-stream.js';
import { Composer } from './composer.js';
import { Conversation } from './conversation.js';
import { ConversationView } from './conversation-view.js';
import { byId } from './dom.js';
import { describeError } from './format.js';
import { LoadView } from './load-view.js';
import { renderModelOptions } from './models.js';
import { ModelSession } from './session.js';
import { showSharing } from './sharing.js';

const DEVICES: readonly DevicePreference[] = ['auto', 'webgpu', 'wasm'];
const params = new URLSearchParams(location.search);
let model = params.get('model') || EMBEDDED_MODEL;
let device = DEVICES.find((d) => d === params.get('device')) ?? 'auto';
/** Every tab of the demo shares one model (docs/multi-tab.md); `?shared=0` gives this tab its own worker. */
const shared = params.get('shared') !== '0';

const modelSelect = byId('model', HTMLSelectElement);
const deviceSelect = byId('device', HTMLSelectElement);
const loadView = new LoadView(byId('load'), byId('load-text'), byId('load-elapsed'), byId('load-bar', HTMLProgressElement));
const view = new ConversationView(byId('conversation'), byId('chat'), byId('intro'));
const session = new ModelSession();
const apiSelect = byId('api', HTMLSelectElement);
const conversation = new Conversation(session, view, (busy) => composer.setBusy(busy), () => APIS.find((a) => a === apiSelect.value) ?? 'chat');
const composer = new Composer(
  {
    form: byId('composer', HTMLFormElement),
    input: byId('input', HTMLTextAreaElement),
    send: byId('send', HTMLButtonElement),
    stop: byId('stop', HTMLButtonElement),
    temperature: byId('temperature', HTMLInputElement),
    maxTokens: byId('max-tokens', HTMLInputElement),
  },
  { send: (text, settings) => void conversation.send(text, settings), stop: () => conversation.stop() },
);

let stopSharing = () => {};

function load(): void {
  conversation.stop();
  stopSharing();
  loadView.start(model);
  const loading = session.load({ model, device, shared, onProgress: (p) => loadView.progress(p) });
  loading.then(
    (loaded) => {
      loadView.ready(loaded.engine.model, loaded.loadMs);
      if (session.ready === loading) stopSharing = showSharing(loaded.engine, byId('load'));
    },
    (error: unknown) => {
      if (session.ready !== loading) return; // a newer choice replaced this load
      loadView.failed(model);
      const { title, detail } = describeError(error);
      view.addError(title, detail, { label: 'Try again', run: load });
    },
  );
}

/** The address says what is loaded, so a reload or a shared link opens the same model. */
function rememberChoice(): void {
  const url = new URL(location.href);
  if (model === EMBEDDED_MODEL) url.searchParams.delete('model');
  else url.searchParams.set('model', model);
  if (device === 'auto') url.searchParams.delete('device');
  else url.searchParams.set('device', device);
  history.replaceState(null, '', url);
}

const showModels = () => renderModelOptions(modelSelect, model, navigator.onLine, device);
addEventListener('online', showModels);
addEventListener('offline', showModels);
showModels();
deviceSelect.value = device;

modelSelect.addEventListener('change', () => {
  model = modelSelect.value;
  rememberChoice();
  load();
});
deviceSelect.addEventListener('change', () => {
  device = DEVICES.find((d) => d === deviceSelect.value) ?? 'auto';
  showModels();
  rememberChoice();
  load();
});
byId('clear').addEventListener('click', () => {
  conversation.clear();
  composer.focus();
});
for (const suggestion of document.querySelectorAll<HTMLButtonElement>('.suggestion')) {
  suggestion.addEventListener('click', () => composer.say(suggestion.textContent ?? ''));
}

// For the browser console: the same engine and OpenAI client the page uses.
Object.assign(window, {
  zstreamDemo: {
    engine: async () => (await session.ready).engine,
    client: async () => (await session.ready).client,
  },
});

load();
composer.focus();
