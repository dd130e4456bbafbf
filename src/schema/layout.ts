/** The `Layout` input shared by archives and broadcasts, and `IncludedStream`. */
import { builder } from './builder.js';
import { LayoutTypeEnum, ScreenshareLayoutTypeEnum } from './enums.js';
import { IncludedStreamRef, StreamRef } from './refs.js';

export const LayoutInput = builder.inputType('Layout', {
  description: 'How a composed archive or broadcast arranges its streams.',
  fields: (t) => ({
    type: t.field({ type: LayoutTypeEnum, required: true, description: 'The layout.' }),
    stylesheet: t.string({ description: 'CSS for the layout; required with `CUSTOM`, not allowed otherwise.' }),
    screenshareType: t.field({
      type: ScreenshareLayoutTypeEnum,
      description: 'The layout to switch to while a screen share is present; only with type `BEST_FIT`.',
    }),
  }),
});

IncludedStreamRef.implement({
  description: 'A stream included in a manual-stream-mode archive or broadcast, with the media included.',
  fields: (t) => ({
    streamId: t.exposeID('streamId', { description: 'The stream id.' }),
    hasAudio: t.exposeBoolean('hasAudio', { description: 'Whether the stream\'s audio is included.' }),
    hasVideo: t.exposeBoolean('hasVideo', { description: 'Whether the stream\'s video is included.' }),
    stream: t.field({
      type: StreamRef,
      nullable: true,
      description: 'The stream, while it is still published in the session (from the session\'s one stream list).',
      resolve: async (included, _args, ctx) => {
        const streams = await ctx.loaders.streamsBySession.load(included.sessionId);
        return streams.find((s) => s.id === included.streamId) ?? null;
      },
    }),
  }),
});
