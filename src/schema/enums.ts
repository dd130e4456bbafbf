/**
 * GraphQL enums for OpenTok's closed sets, built from the arrays of src/client/constants.ts
 * (one source of truth: adding a value there adds it here, and TypeScript then demands its
 * description below). GraphQL names are the values in SCREAMING_SNAKE_CASE; the resolvers
 * see the OpenTok wire values.
 */
import {
  ARCHIVE_MODES,
  ARCHIVE_STATUSES,
  AUDIO_RATES,
  BROADCAST_STATUSES,
  CAPTION_LANGUAGES,
  HLS_STATUSES,
  LAYOUT_TYPES,
  MEDIA_MODES,
  OUTPUT_MODES,
  RENDER_STATUSES,
  RESOLUTIONS,
  ROLES,
  RTMP_STATUSES,
  SCREENSHARE_LAYOUT_TYPES,
  STREAM_MODES,
  TOKEN_TYPES,
  VIDEO_TYPES,
} from '../client/constants.js';
import { builder } from './builder.js';

/** `bestFit` → `BEST_FIT`, `1280x720` → `RES_1280X720`, `en-US` → `EN_US`, 8000 → `HZ_8000`. */
export function enumName(value: string | number, numericPrefix = 'RES'): string {
  const name = String(value)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
  return /^[0-9]/.test(name) ? `${numericPrefix}_${name}` : name;
}

function enumOf<const T extends string | number>(
  name: string,
  description: string,
  values: readonly T[],
  descriptions: Record<T, string>,
  numericPrefix?: string,
) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [enumName(value, numericPrefix), { value, description: descriptions[value] }]),
    ) as Record<string, { value: T; description: string }>,
  });
}

export const RoleEnum = enumOf('Role', 'What a client connected with a token may do in a session.', ROLES, {
  subscriber: 'Can subscribe to streams, cannot publish.',
  publisher: 'Can publish and subscribe (the default).',
  publisheronly: 'Can publish, cannot subscribe.',
  moderator: 'Can publish, subscribe, and force other clients to disconnect, unpublish or mute.',
});

export const TokenTypeEnum = enumOf('TokenType', 'The format of a client token.', TOKEN_TYPES, {
  JWT: 'A JSON Web Token signed with the project secret (the default; Vonage projects always get an RS256 JWT).',
  T1: 'The legacy `T1==` token format.',
});

export const MediaModeEnum = enumOf('MediaMode', 'How media flows between the clients of a session.', MEDIA_MODES, {
  relayed: 'Peer to peer where possible; archiving and broadcasting are not available.',
  routed: 'Through the OpenTok Media Router: required for archives, broadcasts, SIP, renders and captions.',
});

export const ArchiveModeEnum = enumOf('ArchiveMode', 'Whether a session is recorded automatically.', ARCHIVE_MODES, {
  manual: 'Archives are started and stopped through the API (the default).',
  always: 'An archive starts automatically when the first client publishes (routed sessions only).',
});

export const OutputModeEnum = enumOf('OutputMode', 'How an archive stores its streams.', OUTPUT_MODES, {
  composed: 'All streams composed into a single MP4 file.',
  individual: 'One file per stream, delivered as a ZIP.',
});

export const StreamModeEnum = enumOf('StreamMode', 'Which streams an archive or broadcast includes.', STREAM_MODES, {
  auto: 'Every stream published in the session is included automatically (the default).',
  manual: 'Only streams added explicitly (addArchiveStream / addBroadcastStream) are included.',
});

export const ResolutionEnum = enumOf('Resolution', 'Video resolution, width × height in pixels.', RESOLUTIONS, {
  '640x480': '640 × 480 (SD landscape).',
  '480x640': '480 × 640 (SD portrait).',
  '1280x720': '1280 × 720 (HD landscape).',
  '720x1280': '720 × 1280 (HD portrait).',
  '1920x1080': '1920 × 1080 (Full HD landscape).',
  '1080x1920': '1080 × 1920 (Full HD portrait).',
});

export const LayoutTypeEnum = enumOf('LayoutType', 'A layout of composed archives and broadcasts.', LAYOUT_TYPES, {
  bestFit: 'A tiled grid that adapts to the number of streams.',
  custom: 'Your own CSS, given in `stylesheet`.',
  horizontalPresentation: 'One large stream on top, the others in a row beneath.',
  pip: 'Picture in picture: one full-frame stream with a second inset.',
  verticalPresentation: 'One large stream on the left, the others in a column beside it.',
  focus: 'One stream (with the `focus` layout class) fills the frame.',
});

export const ScreenshareLayoutTypeEnum = enumOf(
  'ScreenshareLayoutType',
  'The layout used while a screen-sharing stream is present (only with layout type `BEST_FIT`).',
  SCREENSHARE_LAYOUT_TYPES,
  {
    bestFit: 'A tiled grid.',
    horizontalPresentation: 'The screen share large on top, the others beneath.',
    pip: 'The screen share full-frame with one camera inset.',
    verticalPresentation: 'The screen share large on the left, the others beside it.',
  },
);

export const ArchiveStatusEnum = enumOf('ArchiveStatus', 'Where an archive is in its lifecycle.', ARCHIVE_STATUSES, {
  started: 'Recording.',
  paused: 'Recording is paused because nobody is publishing; it resumes when someone publishes.',
  stopped: 'Recording has stopped; the file is being prepared.',
  uploaded: 'The file has been uploaded to your own storage target.',
  available: 'The file is ready to download from `url`.',
  expired: 'The file was deleted after the retention period (72 hours without an upload target).',
  failed: 'Recording failed.',
  deleted: 'The archive was deleted.',
});

export const BroadcastStatusEnum = enumOf('BroadcastStatus', 'Whether a live broadcast is running.', BROADCAST_STATUSES, {
  started: 'Broadcasting.',
  stopped: 'The broadcast has ended.',
});

export const HlsStatusEnum = enumOf('HlsStatus', 'The state of a broadcast\'s HLS output.', HLS_STATUSES, {
  connecting: 'The HLS stream is being prepared.',
  ready: 'The HLS stream is ready to play but not yet live.',
  live: 'The HLS stream is live.',
  ended: 'The HLS stream has ended.',
  error: 'The HLS stream failed.',
});

export const RtmpStatusEnum = enumOf('RtmpStatus', 'The state of one RTMP output of a broadcast.', RTMP_STATUSES, {
  connecting: 'Connecting to the RTMP server.',
  live: 'Streaming to the RTMP server.',
  offline: 'Not streaming (not connected or disconnected).',
  error: 'The RTMP server rejected or dropped the stream.',
});

export const RenderStatusEnum = enumOf('RenderStatus', 'Where an Experience Composer render is in its lifecycle.', RENDER_STATUSES, {
  starting: 'The composer is loading the web page.',
  started: 'The page is rendered and published into the session.',
  stopped: 'The render has ended.',
  failed: 'The render failed.',
});

export const VideoTypeEnum = enumOf('VideoType', 'The source of a stream\'s video.', VIDEO_TYPES, {
  camera: 'A camera.',
  screen: 'A screen share.',
  custom: 'A custom video source (e.g. a canvas or a file).',
});

export const CaptionLanguageEnum = enumOf('CaptionLanguage', 'A language live captions can transcribe (BCP 47 tag).', CAPTION_LANGUAGES, {
  'en-US': 'English (United States).',
  'en-AU': 'English (Australia).',
  'en-GB': 'English (United Kingdom).',
  'es-US': 'Spanish (United States).',
  'zh-CN': 'Chinese (Mandarin, simplified).',
  'fr-FR': 'French (France).',
  'fr-CA': 'French (Canada).',
  'de-DE': 'German (Germany).',
  'hi-IN': 'Hindi (India).',
  'it-IT': 'Italian (Italy).',
  'ja-JP': 'Japanese (Japan).',
  'ko-KR': 'Korean (South Korea).',
  'pt-BR': 'Portuguese (Brazil).',
  'th-TH': 'Thai (Thailand).',
});

export const AudioRateEnum = enumOf(
  'AudioRate',
  'Sample rate of the audio the Audio Connector sends to the WebSocket, in Hz.',
  AUDIO_RATES,
  { 8000: '8 kHz.', 16000: '16 kHz (the default).', 24000: '24 kHz.' },
  'HZ',
);
