/**
 * Every client-side validation rule (API.md §5, §6.5, §7.1) rejects bad input with an
 * OpenTokValidationError that names the field as types.ts spells it and says what is allowed;
 * and a valid baseline for each validator passes, so the rules are not simply rejecting all.
 */
import { describe, expect, it } from 'vitest';
import {
  OpenTokValidationError,
  validateAudioConnector,
  validateCreateSession,
  validateDialSip,
  validateDtmf,
  validateId,
  validateIterateOptions,
  validateLayout,
  validateListOptions,
  validateMuteAll,
  validateRegisterCallback,
  validateSignal,
  validateStartArchive,
  validateStartBroadcast,
  validateStartCaptions,
  validateStartRender,
  validateStreamLayoutClasses,
  validateStreamSelection,
} from '../src/client/index.js';

const S = '1_MX4xMjM0NTZ-fkZyaSBEZWMgMDQgMjA6MDA6MDAgVVRDIDIwMjZ-MC41fg';
const rtmp = (n: number) => Array.from({ length: n }, (_, i) => ({ serverUrl: `rtmp://live.example.com/app${i}`, streamName: `key${i}` }));

type Case = [name: string, run: () => void, field: string, message: RegExp];

const cases: Case[] = [
  // createSession
  ['unknown media mode', () => validateCreateSession({ mediaMode: 'p2p' as never }), 'mediaMode', /mediaMode must be one of relayed, routed; got "p2p"/],
  ['unknown archive mode', () => validateCreateSession({ archiveMode: 'auto' as never }), 'archiveMode', /one of manual, always/],
  ['always archiving of a relayed session', () => validateCreateSession({ mediaMode: 'relayed', archiveMode: 'always' }), 'archiveMode', /needs mediaMode routed/],
  ['archive name with manual archiving', () => validateCreateSession({ archiveName: 'x' }), 'archiveName', /only allowed with archiveMode always/],
  ['archive resolution with manual archiving', () => validateCreateSession({ archiveResolution: '1280x720' }), 'archiveResolution', /only allowed with archiveMode always/],
  ['archive name over 80 characters', () => validateCreateSession({ archiveMode: 'always', archiveName: 'n'.repeat(81) }), 'archiveName', /1–80 characters long; got 81/],
  ['unknown archive resolution', () => validateCreateSession({ archiveMode: 'always', archiveResolution: '800x600' as never }), 'archiveResolution', /one of 640x480/],
  ['an IPv6 location', () => validateCreateSession({ location: '::1' }), 'location', /IPv4 address/],
  ['an out-of-range IPv4 location', () => validateCreateSession({ location: '256.1.1.1' }), 'location', /IPv4 address/],
  ['e2ee with relayed media', () => validateCreateSession({ mediaMode: 'relayed', e2ee: true }), 'e2ee', /needs mediaMode routed/],
  ['e2ee with always archiving', () => validateCreateSession({ archiveMode: 'always', e2ee: true }), 'e2ee', /cannot be combined with archiveMode always/],
  ['a string e2ee', () => validateCreateSession({ e2ee: 'true' as never }), 'e2ee', /true or false/],

  // ids
  ['an empty archive id', () => validateId('archiveId', '', 'getArchive'), 'archiveId', /archiveId is required and must be a non-empty string/],
  ['a blank session id', () => validateStartArchive('   '), 'sessionId', /sessionId is required/],

  // layouts
  ['a layout without type', () => validateLayout({} as never), 'layout.type', /layout.type is required/],
  ['an unknown layout type', () => validateLayout({ type: 'grid' as never }), 'layout.type', /one of bestFit, custom/],
  ['custom layout without stylesheet', () => validateLayout({ type: 'custom' }), 'layout.stylesheet', /required with type custom/],
  ['stylesheet with a non-custom layout', () => validateLayout({ type: 'pip', stylesheet: 'x' }), 'layout.stylesheet', /only allowed with type custom/],
  ['screenshareType without bestFit', () => validateLayout({ type: 'pip', screenshareType: 'pip' }), 'layout.screenshareType', /needs type bestFit/],
  ['unknown screenshareType', () => validateLayout({ type: 'bestFit', screenshareType: 'focus' as never }), 'layout.screenshareType', /one of bestFit, horizontalPresentation, pip, verticalPresentation/],

  // archives
  ['archive without audio and video', () => validateStartArchive(S, { hasAudio: false, hasVideo: false }), 'hasVideo', /hasAudio and hasVideo cannot both be false/],
  ['resolution with individual output', () => validateStartArchive(S, { outputMode: 'individual', resolution: '640x480' }), 'resolution', /only allowed with outputMode composed/],
  ['layout with individual output', () => validateStartArchive(S, { outputMode: 'individual', layout: { type: 'pip' } }), 'layout', /only allowed with outputMode composed/],
  ['an archive layout error is reported under layout.*', () => validateStartArchive(S, { layout: { type: 'custom' } }), 'layout.stylesheet', /required with type custom/],
  ['maxBitrate below range', () => validateStartArchive(S, { maxBitrate: 99_999 }), 'maxBitrate', /between 100000 and 6000000; got 99999/],
  ['maxBitrate above range', () => validateStartArchive(S, { maxBitrate: 6_000_001 }), 'maxBitrate', /between 100000 and 6000000/],
  ['maxBitrate with quantizationParameter', () => validateStartArchive(S, { maxBitrate: 200_000, quantizationParameter: 20 }), 'quantizationParameter', /mutually exclusive/],
  ['quantizationParameter out of range', () => validateStartArchive(S, { quantizationParameter: 41 }), 'quantizationParameter', /between 15 and 40/],
  ['unknown output mode', () => validateStartArchive(S, { outputMode: 'mixed' as never }), 'outputMode', /one of composed, individual/],
  ['unknown stream mode', () => validateStartArchive(S, { streamMode: 'semi' as never }), 'streamMode', /one of auto, manual/],
  ['empty multiArchiveTag', () => validateStartArchive(S, { multiArchiveTag: '' }), 'multiArchiveTag', /non-empty/],
  ['bad transcription language', () => validateStartArchive(S, { hasTranscription: true, transcriptionProperties: { primaryLanguageCode: 'english' } }), 'transcriptionProperties.primaryLanguageCode', /like en-US/],
  ['transcription properties without transcription', () => validateStartArchive(S, { hasTranscription: false, transcriptionProperties: { hasSummary: true } }), 'transcriptionProperties', /needs hasTranscription true/],
  ['adding a stream without audio and video', () => validateStreamSelection({ hasAudio: false, hasVideo: false }, 'addArchiveStream'), 'hasVideo', /cannot both be false/],

  // broadcasts
  ['broadcast without outputs', () => validateStartBroadcast(S, {} as never), 'outputs', /outputs is required/],
  ['broadcast with empty outputs', () => validateStartBroadcast(S, { outputs: {} }), 'outputs', /at least one output/],
  ['broadcast with only an empty rtmp list', () => validateStartBroadcast(S, { outputs: { rtmp: [] } }), 'outputs.rtmp', /give at least one output/],
  ['six RTMP targets', () => validateStartBroadcast(S, { outputs: { rtmp: rtmp(6) } }), 'outputs.rtmp', /at most 5 targets; got 6/],
  ['an http RTMP target', () => validateStartBroadcast(S, { outputs: { rtmp: [{ serverUrl: 'http://x.example.com/live', streamName: 'k' }] } }), 'outputs.rtmp[0].serverUrl', /rtmp:\/\/ or rtmps:\/\/ URL/],
  ['an RTMP target without stream name', () => validateStartBroadcast(S, { outputs: { rtmp: [{ serverUrl: 'rtmps://x.example.com/live', streamName: '' }] } }), 'outputs.rtmp[0].streamName', /non-empty/],
  ['dvr with lowLatency', () => validateStartBroadcast(S, { outputs: { hls: { dvr: true, lowLatency: true } } }), 'outputs.hls.lowLatency', /cannot both be true/],
  ['broadcast maxDuration too short', () => validateStartBroadcast(S, { outputs: { hls: {} }, maxDuration: 59 }), 'maxDuration', /between 60 and 36000/],
  ['broadcast maxBitrate out of range', () => validateStartBroadcast(S, { outputs: { hls: {} }, maxBitrate: 50 }), 'maxBitrate', /between 100000 and 6000000/],
  ['broadcast without audio and video', () => validateStartBroadcast(S, { outputs: { hls: {} }, hasAudio: false, hasVideo: false }), 'hasVideo', /cannot both be false/],
  ['broadcast with a bad layout', () => validateStartBroadcast(S, { outputs: { hls: {} }, layout: { type: 'bestFit', stylesheet: 'x' } }), 'layout.stylesheet', /only allowed with type custom/],

  // lists
  ['count over 1000', () => validateListOptions({ count: 1_001 }, 'listArchives'), 'count', /between 0 and 1000; got 1001/],
  ['negative count', () => validateListOptions({ count: -1 }, 'listArchives'), 'count', /between 0 and 1000/],
  ['negative offset', () => validateListOptions({ offset: -1 }, 'listArchives'), 'offset', /integer ≥ 0|between 0 and/],
  ['fractional offset', () => validateListOptions({ offset: 1.5 }, 'listArchives'), 'offset', /integer/],
  ['empty sessionId filter', () => validateListOptions({ sessionId: '' }, 'listArchives'), 'sessionId', /non-empty/],
  ['iterator page size 0', () => validateIterateOptions({ pageSize: 0 }), 'pageSize', /between 1 and 1000/],

  // streams and moderation
  ['empty class-list update', () => validateStreamLayoutClasses(S, []), 'items', /non-empty array/],
  ['class list that is not an array', () => validateStreamLayoutClasses(S, [{ id: 's', layoutClassList: 'full' as never }]), 'items[0].layoutClassList', /array of strings/],
  ['class-list item without id', () => validateStreamLayoutClasses(S, [{ id: '', layoutClassList: [] }]), 'items[0].id', /non-empty/],
  ['excluded stream ids that are not strings', () => validateMuteAll(S, { excludedStreamIds: [1 as never] }), 'excludedStreamIds[0]', /non-empty string/],

  // signals
  ['signal type over 128 bytes', () => validateSignal(S, { type: 'a'.repeat(129), data: '' }), 'type', /at most 128 bytes; got 129/],
  ['signal type with a space', () => validateSignal(S, { type: 'chat message', data: '' }), 'type', /letters, digits, '-', '_' and '~'/],
  ['signal data over 8 kB', () => validateSignal(S, { data: 'x'.repeat(8_193) }), 'data', /at most 8192 bytes \(8 kB\); got 8193/],
  ['signal data counted in bytes', () => validateSignal(S, { data: 'é'.repeat(4_097) }), 'data', /got 8194/],
  ['signal without data', () => validateSignal(S, { type: 'x' } as never), 'data', /data is required/],
  ['signal to an empty connection id', () => validateSignal(S, { data: 'x', connectionId: '' }), 'connectionId', /non-empty/],

  // SIP and DTMF
  ['a SIP URI without sip:', () => validateDialSip(S, 'tok', { uri: 'tel:+15551234567' }), 'uri', /SIP URI like sip:user@host/],
  ['SIP without a token', () => validateDialSip(S, '', { uri: 'sip:a@b.example' }), 'token', /non-empty/],
  ['SIP headers that are not strings', () => validateDialSip(S, 'tok', { uri: 'sip:a@b.example', headers: { x: 1 as never } }), 'headers.x', /must be a string/],
  ['SIP auth without username', () => validateDialSip(S, 'tok', { uri: 'sip:a@b.example', auth: { username: '', password: 'p' } }), 'auth.username', /non-empty/],
  ['a string SIP flag', () => validateDialSip(S, 'tok', { uri: 'sip:a@b.example', secure: 'true' as never }), 'secure', /true or false/],
  ['DTMF letters', () => validateDtmf(S, '12a#'), 'digits', /0-9, \*, # and p/],
  ['empty DTMF', () => validateDtmf(S, ''), 'digits', /one or more/],

  // Audio Connector
  ['an http WebSocket URI', () => validateAudioConnector(S, 'tok', { uri: 'http://ws.example.com/a' }), 'uri', /ws:\/\/ or wss:\/\/ URL/],
  ['headers over 512 bytes', () => validateAudioConnector(S, 'tok', { uri: 'wss://ws.example.com/a', headers: { big: 'x'.repeat(510) } }), 'headers', /at most 512 bytes/],
  ['an unsupported audio rate', () => validateAudioConnector(S, 'tok', { uri: 'wss://ws.example.com/a', audioRate: 44_100 as never }), 'audioRate', /one of 8000, 16000, 24000/],
  ['an unknown audio transport', () => validateAudioConnector(S, 'tok', { uri: 'wss://ws.example.com/a', audioTransport: { transport: 'text' as never } }), 'audioTransport.transport', /one of binary, json/],

  // Experience Composer
  ['a render URL shorter than 15 characters', () => validateStartRender({ sessionId: S, token: 't', url: 'https://a.io' }), 'url', /15–2048 characters long/],
  ['a render URL that is not http(s)', () => validateStartRender({ sessionId: S, token: 't', url: 'ftp://files.example.com/page' }), 'url', /http:\/\/ or https:\/\/ URL/],
  ['render maxDuration over 36000', () => validateStartRender({ sessionId: S, token: 't', url: 'https://example.com/page', maxDuration: 36_001 }), 'maxDuration', /between 60 and 36000/],
  ['an empty render name', () => validateStartRender({ sessionId: S, token: 't', url: 'https://example.com/page', name: '' }), 'name', /1–200 characters/],
  ['a render without token', () => validateStartRender({ sessionId: S, url: 'https://example.com/page' } as never), 'token', /non-empty/],

  // captions
  ['an unsupported caption language', () => validateStartCaptions(S, 'tok', { languageCode: 'xx-XX' as never }), 'languageCode', /one of en-US/],
  ['captions maxDuration under 300', () => validateStartCaptions(S, 'tok', { maxDuration: 299 }), 'maxDuration', /between 300 and 14400/],
  ['a short status callback URL', () => validateStartCaptions(S, 'tok', { statusCallbackUrl: 'https://a.b' }), 'statusCallbackUrl', /15–2048 characters/],
  ['a string partialCaptions', () => validateStartCaptions(S, 'tok', { partialCaptions: 'true' as never }), 'partialCaptions', /true or false/],

  // callbacks
  ['an unknown callback group', () => validateRegisterCallback({ group: 'chat' as never, event: 'created', url: 'https://example.com/cb' }), 'group', /one of connection, stream/],
  ['a callback URL that is not http(s)', () => validateRegisterCallback({ group: 'connection', event: 'created', url: 'example.com/cb' }), 'url', /http:\/\/ or https:\/\/ URL/],
];

describe('validation rules', () => {
  it.each(cases)('rejects %s', (_, run, field, message) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error, 'expected an OpenTokValidationError').toBeInstanceOf(OpenTokValidationError);
    const v = error as OpenTokValidationError;
    expect(v.field).toBe(field);
    expect(v.code).toBe('INVALID_ARGUMENT');
    expect(v.message).toMatch(message);
    // The message names the field it is about (the top-level name for nested paths).
    expect(v.message).toContain(field.replace(/\[\d+\].*$/, '').split('.')[0]!);
  });

  it('accepts valid input for every validator, at the limits', () => {
    expect(() => {
      validateCreateSession();
      validateCreateSession({ mediaMode: 'routed', archiveMode: 'always', archiveName: 'n'.repeat(80), archiveResolution: '1080x1920', location: '255.0.10.1' });
      validateCreateSession({ mediaMode: 'relayed', e2ee: false, location: '12.34.56.78' });
      validateCreateSession({ e2ee: true });
      validateLayout({ type: 'custom', stylesheet: 'stream { width: 100% }' });
      validateLayout({ type: 'bestFit', screenshareType: 'verticalPresentation' });
      validateStartArchive(S, {
        name: 'all',
        hasAudio: true,
        hasVideo: false,
        outputMode: 'composed',
        resolution: '1920x1080',
        layout: { type: 'focus' },
        streamMode: 'manual',
        multiArchiveTag: 'tag',
        maxBitrate: 6_000_000,
        hasTranscription: true,
        transcriptionProperties: { primaryLanguageCode: 'es-ES', hasSummary: true },
      });
      validateStartArchive(S, { outputMode: 'individual', quantizationParameter: 15 });
      validateStartBroadcast(S, { outputs: { hls: { dvr: true, lowLatency: false }, rtmp: rtmp(5) }, maxDuration: 36_000, maxBitrate: 100_000, resolution: '720x1280', streamMode: 'auto', multiBroadcastTag: 'b' });
      validateStartBroadcast(S, { outputs: { rtmp: [{ id: 'yt', serverUrl: 'rtmps://a.example.com:443/live', streamName: 'k' }] } });
      validateListOptions({ offset: 0, count: 0 });
      validateListOptions({ offset: 10_000, count: 1_000, sessionId: S });
      validateStreamLayoutClasses(S, [{ id: 'a', layoutClassList: [] }, { id: 'b', layoutClassList: ['full', 'focus'] }]);
      validateMuteAll(S, { excludedStreamIds: ['a', 'b'] });
      validateSignal(S, { type: `${'a'.repeat(125)}-_~`, data: 'x'.repeat(8_192) });
      validateSignal(S, { data: '', connectionId: 'c' });
      validateDialSip(S, 'tok', { uri: 'sip:+15128675309@acme.pstn.example.com;transport=tls', from: '15551115555', headers: { a: 'b' }, auth: { username: 'u', password: '' }, secure: true, video: false, observeForceMute: true, streams: ['s'] });
      validateDtmf(S, '0123456789*#p', { connectionId: 'c' });
      validateAudioConnector(S, 'tok', { uri: 'ws://ws.example.com/a', streams: ['s'], headers: { a: 'b' }, audioRate: 24_000, bidirectional: true, audioTransport: { transport: 'json', encoding: 'base64', audioField: 'data', receiveAudioField: 'in', staticFields: { k: 1 } } });
      validateStartRender({ sessionId: S, token: 't', url: 'https://example.com', maxDuration: 60, resolution: '1280x720', name: 'n'.repeat(200), statusCallbackUrl: 'https://example.com/status' });
      validateStartCaptions(S, 'tok', { languageCode: 'th-TH', maxDuration: 14_400, partialCaptions: false, statusCallbackUrl: 'https://example.com/captions' });
      validateRegisterCallback({ group: 'archive', event: 'status', url: 'https://example.com/cb' });
    }).not.toThrow();
  });
});
