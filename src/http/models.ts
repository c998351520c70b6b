// GET /models and /models/{id}, and which model name a request may use. By default any name is
// served by the loaded model (responses report the real id); with `strictModel`, other names
// get OpenAI's 404 `model_not_found`.
import { jsonResponse } from './completion-wire.js';
import type { Engine } from '../engine/types.js';
import { ZStreamError } from '../shared/errors.js';
import { clip } from './quote.js';
import type { Model, ModelList } from './openai-types.js';

/** All the shim needs of an engine. */
export type ServedEngine = Pick<Engine, 'model' | 'generate' | 'generateAll' | 'serve'>;

/** What every route handler is given. */
export interface ServeContext {
  engine: ServedEngine;
  strictModel: boolean;
  /** SSE keep-alive comment after this long without a frame (ms); 0: never. */
  keepAliveMs: number;
}

const MODEL_CREATED = Math.floor(Date.now() / 1000);

/** OpenAI's model object, plus where it runs: zstream's extension (clients ignore unknown fields). */
type ServedModelObject = Model & { device: string; fallback_reason?: string };

const modelObject = ({ model }: ServedEngine): ServedModelObject => ({
  id: model.id, object: 'model', created: MODEL_CREATED, owned_by: 'zstream', device: model.device,
  ...(model.fallbackReason ? { fallback_reason: model.fallbackReason } : {}),
});

/** The id to report for a request that named `requested`; throws in strict mode when it is not the loaded model. */
export function servedModel({ engine, strictModel }: ServeContext, requested: string): string {
  if (strictModel && requested !== engine.model.id) {
    throw new ZStreamError('model_not_found', `The model \`${clip(requested)}\` does not exist or you do not have access to it.`);
  }
  return engine.model.id;
}

export const listModels = (context: ServeContext): Response => {
  const body: ModelList = { object: 'list', data: [modelObject(context.engine)] };
  return jsonResponse(body);
};

export function retrieveModel(context: ServeContext, id: string): Response {
  servedModel(context, id);
  return jsonResponse(modelObject(context.engine));
}
