/**
 * Closed sets and limits of the OpenTok REST API, declared once.
 *
 * The client validates against these, the GraphQL schema builds its enums from them,
 * and the emulator enforces them: one list per fact (see ../shared/DESIGN.md).
 */

export const ROLES = ['subscriber', 'publisher', 'publisheronly', 'moderator'] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_TYPES = ['JWT', 'T1'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** `relayed` = peer-to-peer (`p2p.preference=enabled`), `routed` = via the Media Router. */
export const MEDIA_MODES = ['relayed', 'routed'] as const;
export type MediaMode = (typeof MEDIA_MODES)[number];

export const ARCHIVE_MODES = ['manual', 'always'] as const;
export type ArchiveMode = (typeof ARCHIVE_MODES)[number];

export const OUTPUT_MODES = ['composed', 'individual'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

export const STREAM_MODES = ['auto', 'manual'] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

export const RESOLUTIONS = ['640x480', '480x640', '1280x720', '720x1280', '1920x1080', '1080x1920'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const LAYOUT_TYPES = ['bestFit', 'custom', 'horizontalPresentation', 'pip', 'verticalPresentation', 'focus'] as const;
export type LayoutType = (typeof LAYOUT_TYPES)[number];

/** Layouts allowed for `screenshareType` (only together with `type: bestFit`). */
export const SCREENSHARE_LAYOUT_TYPES = ['bestFit', 'horizontalPresentation', 'pip', 'verticalPresentation'] as const;
export type ScreenshareLayoutType = (typeof SCREENSHARE_LAYOUT_TYPES)[number];

export const ARCHIVE_STATUSES = ['started', 'paused', 'stopped', 'uploaded', 'available', 'expired', 'failed', 'deleted'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

export const BROADCAST_STATUSES = ['started', 'stopped'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

export const HLS_STATUSES = ['connecting', 'ready', 'live', 'ended', 'error'] as const;
export type HlsStatus = (typeof HLS_STATUSES)[number];

export const RTMP_STATUSES = ['connecting', 'live', 'offline', 'error'] as const;
export type RtmpStatus = (typeof RTMP_STATUSES)[number];

export const RENDER_STATUSES = ['starting', 'started', 'stopped', 'failed'] as const;
export type RenderStatus = (typeof RENDER_STATUSES)[number];

export const CAPTIONS_STATUSES = ['started', 'stopped', 'paused', 'failed'] as const;
export type CaptionsStatus = (typeof CAPTIONS_STATUSES)[number];

export const VIDEO_TYPES = ['camera', 'screen', 'custom'] as const;
export type VideoType = (typeof VIDEO_TYPES)[number];

export const CAPTION_LANGUAGES = [
  'en-US', 'en-AU', 'en-GB', 'es-US', 'zh-CN', 'fr-FR', 'fr-CA', 'de-DE', 'hi-IN', 'it-IT', 'ja-JP', 'ko-KR', 'pt-BR', 'th-TH',
] as const;
export type CaptionLanguage = (typeof CAPTION_LANGUAGES)[number];

export const AUDIO_RATES = [8000, 16000, 24000] as const;
export type AudioRate = (typeof AUDIO_RATES)[number];

export const CALLBACK_GROUPS = ['connection', 'stream', 'archive', 'broadcast', 'session', 'sip', 'render', 'captions'] as const;
export type CallbackGroup = (typeof CALLBACK_GROUPS)[number];

/** Documented limits. Each is cited where it is enforced; keep them in one place. */
export const LIMITS = {
  /** List pages: `count` 0..1000 (Ruby `Limit is invalid`), default 50. */
  listCountMax: 1000,
  listCountDefault: 50,
  /** Client token `expire_time`: at most 30 days ahead; default 24 h. */
  tokenMaxLifetimeSeconds: 30 * 24 * 3600,
  tokenDefaultLifetimeSeconds: 24 * 3600,
  /** Connection data: Ruby requires < 1000 chars, Node ≤ 1024; the stricter rule wins. */
  connectionDataMaxLength: 999,
  initialLayoutClassListMaxLength: 1024,
  /** Project JWT: documented maximum lifetime is 5 minutes. */
  projectJwtMaxLifetimeSeconds: 300,
  signalTypeMaxBytes: 128,
  signalDataMaxBytes: 8192,
  rtmpTargetsMax: 5,
  archiveNameMaxLength: 80,
  maxBitrateMin: 100_000,
  maxBitrateMax: 6_000_000,
  quantizationParameterMin: 15,
  quantizationParameterMax: 40,
  broadcastMaxDurationMin: 60,
  broadcastMaxDurationMax: 36_000,
  broadcastMaxDurationDefault: 14_400,
  renderMaxDurationMin: 60,
  renderMaxDurationMax: 36_000,
  renderMaxDurationDefault: 7_200,
  renderUrlMinLength: 15,
  renderUrlMaxLength: 2048,
  renderNameMinLength: 1,
  renderNameMaxLength: 200,
  captionsMaxDurationMin: 300,
  captionsMaxDurationMax: 14_400,
  captionsMaxDurationDefault: 14_400,
  statusCallbackUrlMinLength: 15,
  statusCallbackUrlMaxLength: 2048,
  audioConnectorHeadersMaxBytes: 512,
  sessionIdMaxLength: 255,
} as const;

/** Signal `type`: up to 128 bytes of letters, digits, `-`, `_` and `~`. */
export const SIGNAL_TYPE_PATTERN = /^[A-Za-z0-9\-_~]*$/;
/** DTMF digits: 0-9, `*`, `#`, and `p` (a 500 ms pause). */
export const DTMF_DIGITS_PATTERN = /^[0-9*#p]+$/;

export const DEFAULT_OPENTOK_API_URL = 'https://api.opentok.com';
export const DEFAULT_VONAGE_API_URL = 'https://video.api.vonage.com';
