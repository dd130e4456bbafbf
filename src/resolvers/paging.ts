/** Offset paging and Relay cursors over OpenTok's offset/count lists. */
import { LIMITS } from '../client/constants.js';
import type { Page } from '../client/types.js';
import { validateListOptions } from '../client/validation.js';
import { badUserInput, fromOpenTokError } from './errors.js';

export interface PageModel<T> {
  items: T[];
  totalCount: number;
  offset: number;
}

/** Applies OpenTok's list limits (the client's validator) to GraphQL paging arguments. */
export function checkPaging(offset: number | null | undefined, count: number | null | undefined): { offset: number; count: number } {
  const checked = { offset: offset ?? 0, count: count ?? LIMITS.listCountDefault };
  try {
    validateListOptions(checked);
  } catch (error) {
    throw fromOpenTokError(error) ?? error;
  }
  return checked;
}

export function pageModel<T>(page: Page<T>, offset: number): PageModel<T> {
  return { items: page.items, totalCount: page.totalCount, offset };
}

export const hasMore = (page: PageModel<unknown>): boolean => page.offset + page.items.length < page.totalCount;

const CURSOR_PREFIX = 'offset:';

/** Opaque cursors: the position of an item in the newest-first list. */
export function encodeCursor(position: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${position}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const position = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isInteger(position) || position < 0 || encodeCursor(position) !== cursor) {
    throw badUserInput(field, `${field} is not a cursor returned by this API`);
  }
  return position;
}

export interface ConnectionModel<T> {
  edges: { cursor: string; node: T }[];
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Forward Relay pagination: `first` items after the `after` cursor. */
/** Forward Relay pagination: `first` items after the `after` cursor. */
export function connectionArgs(first: number | null | undefined, after: string | null | undefined): { offset: number; count: number } {
  const offset = after ? decodeCursor(after, 'after') + 1 : 0;
  const checked = { offset, count: first ?? LIMITS.listCountDefault };
  try {
    validateListOptions(checked);
  } catch (error) {
    throw fromOpenTokError(error, (field) => (field === 'count' ? 'first' : field)) ?? error;
  }
  return checked;
}

export function connectionModel<T>(page: Page<T>, offset: number): ConnectionModel<T> {
  return {
    edges: page.items.map((node, i) => ({ cursor: encodeCursor(offset + i), node })),
    totalCount: page.totalCount,
    hasNextPage: offset + page.items.length < page.totalCount,
    hasPreviousPage: offset > 0,
  };
}
