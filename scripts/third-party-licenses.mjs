// The licences of the code bundled into the package, and of ONNX Runtime's wasm (copied as is):
// Apache-2.0 and MIT both ask that their notices travel with the code.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The node_modules folder of the package that holds module `id`, e.g. …/node_modules/@scope/name. */
function packageDir(id) {
  return /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(id)?.[1];
}

/** THIRD_PARTY_LICENSES.md for the rolldown output `chunks`. */
export async function thirdPartyLicenses(chunks, root) {
  const dirs = new Set([join(root, 'node_modules/onnxruntime-web')]);
  for (const chunk of chunks) {
    for (const id of chunk.moduleIds) {
      const dir = packageDir(id);
      if (dir) dirs.add(dir);
    }
  }
  const sections = [];
  for (const dir of [...dirs].sort()) {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const file = (await readdir(dir)).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
    const text = file ? (await readFile(join(dir, file), 'utf8')).trim() : `Licensed under ${pkg.license}.`;
    sections.push(`## ${pkg.name} ${pkg.version} (${pkg.license})\n\n\`\`\`\n${text}\n\`\`\``);
  }
  const intro = 'The files in dist/ include code from these packages. transformers.js and WebLLM come ' +
    'pre-bundled by their authors, with code of their own dependencies under those licences.';
  return `# Third-party licenses\n\n${intro}\n\n${sections.join('\n\n')}\n`;
}
