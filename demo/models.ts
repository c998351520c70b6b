// The model picker: the library's built-in registry, grouped by where the model comes from. The
// embedded model is always there; hub models need the network (the first time), WebLLM ones WebGPU.
import { EMBEDDED_MODEL, builtInModels, type DevicePreference, type RegistryEntry } from '../src/index.js';

interface Group {
  label: string;
  /** Why the group's models cannot be chosen now, if they cannot. */
  unavailable: (online: boolean, device: DevicePreference) => string | undefined;
  entries: RegistryEntry[];
}

/** 'SmolLM2-135M-Instruct-MLC' → 'SmolLM2 135M Instruct'. */
const label = (id: string) => (id === EMBEDDED_MODEL ? 'Tiny story (embedded)' : id.replace(/-MLC$/, '').replaceAll('-', ' '));

function groups(): Group[] {
  const models = builtInModels();
  return [
    { label: 'In this page', unavailable: () => undefined, entries: models.filter((m) => m.id === EMBEDDED_MODEL) },
    {
      label: 'transformers.js · from the hub',
      unavailable: (online) => (online ? undefined : 'offline'),
      entries: models.filter((m) => m.id !== EMBEDDED_MODEL && m.backend === 'transformers'),
    },
    {
      label: 'WebLLM · from the hub, WebGPU only',
      unavailable: (online, device) => (!online ? 'offline' : device === 'wasm' || !('gpu' in navigator) ? 'needs WebGPU' : undefined),
      entries: models.filter((m) => m.backend === 'webllm'),
    },
  ];
}

/** Fills the picker for the current network and device; `selected` stays listed even if unknown. */
export function renderModelOptions(select: HTMLSelectElement, selected: string, online: boolean, device: DevicePreference): void {
  const known = new Set<string>();
  const children: HTMLElement[] = groups()
    .filter((group) => group.entries.length > 0)
    .map((group) => {
      const optgroup = document.createElement('optgroup');
      optgroup.label = group.label;
      const reason = group.unavailable(online, device);
      for (const entry of group.entries) {
        known.add(entry.id);
        const option = new Option(reason ? `${label(entry.id)} (${reason})` : label(entry.id), entry.id);
        option.disabled = reason !== undefined;
        option.title = entry.description;
        optgroup.append(option);
      }
      return optgroup;
    });
  // A model named in the address (?model=org/name) that the registry does not list.
  if (!known.has(selected)) children.push(new Option(selected, selected));
  select.replaceChildren(...children);
  select.value = selected;
}
