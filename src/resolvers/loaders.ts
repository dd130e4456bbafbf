/**
 * Per-request DataLoaders: created for each GraphQL request (src/server/context.ts) and never
 * shared, so one caller's data never leaks into another's response.
 *
 * OpenTok has no batch-get endpoints, so the loaders earn their keep three ways:
 * - identical lookups in one request are made once (by-id and list loaders cache per request);
 * - every `stream(sessionId, id)` and `Session.streams` of a session comes from one
 *   `GET …/session/{id}/stream` (`streamsBySession`);
 * - list results prime the by-id loaders, and a by-id batch first waits for list calls that
 *   are already in flight, so `archive(id)` next to an `archives` page that contains it costs
 *   nothing even though both root fields start at the same tick.
 */
import DataLoader from 'dataloader';
import { OpenTokError } from '../client/errors.js';
import type { Archive, Broadcast, ListOptions, OpenTokClient, Page, Render, SessionListOptions, Stream } from '../client/types.js';

/** A stream with the session it belongs to (the wire object does not say). */
export type StreamModel = Stream & { sessionId: string };

export interface Loaders {
  /** `GET /archive/{id}`, de-duplicated and served from list results when possible. */
  archiveById: DataLoader<string, Archive>;
  /** `GET /broadcast/{id}`, likewise. */
  broadcastById: DataLoader<string, Broadcast>;
  /** `GET /render/{id}`, likewise. */
  renderById: DataLoader<string, Render>;
  /** `GET /session/{id}/stream`: one call per session serves every stream lookup of the request. */
  streamsBySession: DataLoader<string, StreamModel[]>;
  /** `GET /archive?offset&count&sessionId`, one call per distinct page. */
  archivePage: DataLoader<SessionListOptions, Page<Archive>, string>;
  /** `GET /broadcast?offset&count&sessionId`, one call per distinct page. */
  broadcastPage: DataLoader<SessionListOptions, Page<Broadcast>, string>;
  /** `GET /render?offset&count`, one call per distinct page. */
  renderPage: DataLoader<ListOptions, Page<Render>, string>;
  /** Forget everything cached after a write, so later fields of a mutation see its effect. */
  afterWrite(): void;
}

const pageKey = (options: SessionListOptions): string =>
  JSON.stringify([options.offset ?? 0, options.count ?? 50, options.sessionId ?? null]);

interface Family<T extends { id: string }> {
  byId: DataLoader<string, T>;
  page: DataLoader<SessionListOptions, Page<T>, string>;
  clear(): void;
}

function family<T extends { id: string }>(
  getOne: (id: string) => Promise<T>,
  list: (options: SessionListOptions) => Promise<Page<T>>,
): Family<T> {
  // Objects seen in list results of this request, and the list calls still in flight.
  const seen = new Map<string, T>();
  const inflight = new Set<Promise<unknown>>();

  const byId = new DataLoader<string, T>(async (ids) => {
    if (inflight.size > 0) await Promise.allSettled([...inflight]);
    return Promise.all(ids.map((id) => seen.get(id) ?? getOne(id).catch((error: unknown) => error as Error)));
  });

  const page = new DataLoader<SessionListOptions, Page<T>, string>(
    (keys) =>
      Promise.all(
        keys.map((options) => {
          const request = list(options).then((result) => {
            for (const item of result.items) {
              seen.set(item.id, item);
              byId.prime(item.id, item);
            }
            return result;
          });
          const settled = request.then(
            () => undefined,
            () => undefined,
          );
          inflight.add(settled);
          void settled.finally(() => inflight.delete(settled));
          return request.catch((error: unknown) => error as Error);
        }),
      ),
    { cacheKeyFn: pageKey },
  );
  return {
    byId,
    page,
    clear() {
      seen.clear();
      byId.clearAll();
      page.clearAll();
    },
  };
}

/**
 * Each family's loaders are built on first use: a request usually touches one or two of the
 * four, and a context is built for every uncached request, so building all seven DataLoaders
 * (and their closures) up front was allocation the request never used.
 */
export function createLoaders(client: OpenTokClient): Loaders {
  let archives: Family<Archive> | undefined;
  let broadcasts: Family<Broadcast> | undefined;
  let renders: Family<Render> | undefined;
  let streams: DataLoader<string, StreamModel[]> | undefined;

  const archiveFamily = (): Family<Archive> =>
    (archives ??= family(
      (id) => client.getArchive(id),
      (options) => client.listArchives(options),
    ));
  const broadcastFamily = (): Family<Broadcast> =>
    (broadcasts ??= family(
      (id) => client.getBroadcast(id),
      (options) => client.listBroadcasts(options),
    ));
  const renderFamily = (): Family<Render> =>
    (renders ??= family(
      (id) => client.getRender(id),
      // Renders are listed per project only; a sessionId never reaches this loader.
      ({ offset, count }) => client.listRenders({ offset, count }),
    ));
  const streamsBySession = (): DataLoader<string, StreamModel[]> =>
    (streams ??= new DataLoader<string, StreamModel[]>((sessionIds) =>
      Promise.all(
        sessionIds.map((sessionId) =>
          client.listStreams(sessionId).then(
            (page) => page.items.map((stream) => ({ ...stream, sessionId })),
            // OpenTok answers 404 for a session nobody has published in yet (API.md §5, streams):
            // to a caller that is a session with no streams, not a missing session.
            (error: unknown) => (error instanceof OpenTokError && error.code === 'NOT_FOUND' ? [] : (error as Error)),
          ),
        ),
      ),
    ));

  return {
    get archiveById() {
      return archiveFamily().byId;
    },
    get broadcastById() {
      return broadcastFamily().byId;
    },
    get renderById() {
      return renderFamily().byId;
    },
    get streamsBySession() {
      return streamsBySession();
    },
    get archivePage() {
      return archiveFamily().page;
    },
    get broadcastPage() {
      return broadcastFamily().page;
    },
    get renderPage() {
      return renderFamily().page;
    },
    afterWrite() {
      archives?.clear();
      broadcasts?.clear();
      renders?.clear();
      streams?.clearAll();
    },
  };
}
