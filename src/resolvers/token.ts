/** Client tokens are minted locally with the project credentials: no upstream call. */
import { normalizeTokenOptions } from '../client/tokens.js';
import type { TokenOptions } from '../client/types.js';
import type { Role, TokenType } from '../client/constants.js';
import type { GatewayContext } from '../server/context.js';
import { call, inInput } from './errors.js';

export interface ClientTokenModel {
  token: string;
  sessionId: string;
  role: Role;
  /** Epoch seconds. */
  expireTime: number;
  data: string | null;
  initialLayoutClassList: string[];
  tokenType: TokenType;
}

export interface GenerateTokenInput {
  sessionId: string;
  role?: Role | null;
  expireTime?: Date | null;
  data?: string | null;
  initialLayoutClassList?: string[] | null;
  tokenType?: TokenType | null;
}

export function generateToken(input: GenerateTokenInput, ctx: GatewayContext): Promise<ClientTokenModel> {
  return call(() => {
    const options: TokenOptions = {
      ...(input.role ? { role: input.role } : {}),
      ...(input.expireTime ? { expireTime: input.expireTime } : {}),
      ...(input.data != null ? { data: input.data } : {}),
      ...(input.initialLayoutClassList ? { initialLayoutClassList: input.initialLayoutClassList } : {}),
      ...(input.tokenType ? { tokenType: input.tokenType } : {}),
    };
    // Normalise once and mint with the resulting expiry, so the reported expiry is the token's.
    const normalized = normalizeTokenOptions(options, Math.floor(Date.now() / 1000));
    const token = ctx.client.generateToken(input.sessionId, { ...options, expireTime: normalized.expireTime });
    return {
      token,
      sessionId: input.sessionId,
      role: normalized.role,
      expireTime: normalized.expireTime,
      data: normalized.data ?? null,
      initialLayoutClassList: normalized.initialLayoutClassList ? normalized.initialLayoutClassList.split(' ') : [],
      tokenType: ctx.client.mode === 'vonage' ? 'JWT' : normalized.tokenType,
    };
  }, inInput);
}

/** A token the gateway mints for server-side participants (SIP, Audio Connector, renders, captions). */
export function serviceToken(ctx: GatewayContext, sessionId: string, role: Role, data: string): string {
  return ctx.client.generateToken(sessionId, { role, data });
}
