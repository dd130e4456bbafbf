/** Experience Composer renders: a web page rendered and published into a session. */
import { validateStartRender } from '../client/validation.js';
import type { Render, Resolution } from '../client/types.js';
import type { GatewayContext } from '../server/context.js';
import { call, inInput, orNull, renamed } from './errors.js';
import { checkPaging, pageModel, type PageModel } from './paging.js';
import { serviceToken } from './token.js';

// Client field names → this module's GraphQL argument names.
const byId = renamed({ renderId: 'id' });

export function renderById(id: string, ctx: GatewayContext): Promise<Render | null> {
  return orNull(() => ctx.loaders.renderById.load(id), byId);
}

export async function renders(args: { offset?: number | null; count?: number | null }, ctx: GatewayContext): Promise<PageModel<Render>> {
  const { offset, count } = checkPaging(args.offset, args.count);
  return pageModel(await call(() => ctx.loaders.renderPage.load({ offset, count })), offset);
}

export interface StartRenderInput {
  sessionId: string;
  token?: string | null;
  url: string;
  maxDuration?: number | null;
  resolution?: Resolution | null;
  name?: string | null;
  statusCallbackUrl?: string | null;
}

export async function startRender(input: StartRenderInput, ctx: GatewayContext): Promise<Render> {
  const render = await call(() => {
    const options = {
      sessionId: input.sessionId,
      token: input.token ?? serviceToken(ctx, input.sessionId, 'publisher', 'experience-composer'),
      url: input.url,
      ...(input.maxDuration != null ? { maxDuration: input.maxDuration } : {}),
      ...(input.resolution ? { resolution: input.resolution } : {}),
      ...(input.name != null ? { name: input.name } : {}),
      ...(input.statusCallbackUrl != null ? { statusCallbackUrl: input.statusCallbackUrl } : {}),
    };
    validateStartRender(options);
    return ctx.client.startRender(options);
  }, inInput);
  ctx.loaders.afterWrite();
  ctx.loaders.renderById.prime(render.id, render);
  return render;
}

export async function stopRender(id: string, ctx: GatewayContext): Promise<{ renderId: string }> {
  await call(() => ctx.client.stopRender(id), byId);
  ctx.loaders.afterWrite();
  return { renderId: id };
}
