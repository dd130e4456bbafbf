/**
 * The schema as a published contract: schema.graphql matches the code, every type, field,
 * argument, input field and enum value is described, enums come from the client's constants,
 * and the root fields apps depend on exist with their documented shapes.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import * as constants from '../src/client/constants.js';
import { schema } from '../src/schema/index.js';
import { enumName } from '../src/schema/enums.js';
import { printSchemaFile } from '../src/schema/print.js';

const ours = (type: GraphQLNamedType) => !type.name.startsWith('__') && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name);

describe('schema.graphql', () => {
  it('matches the schema printed from the code', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed, 'schema.graphql drifted: run `npm run schema:print`').toBe(printSchemaFile());
  });

  it('`npm run schema:check` passes on the committed file', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/print-schema.ts', '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/matches/);
  });
});

describe('descriptions', () => {
  it('every type, field, argument, input field and enum value has one', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap()).filter(ours)) {
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      } else if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      } else if (!isScalarType(type) && !isUnionType(type)) {
        missing.push(`${(type as GraphQLNamedType).name} (unexpected kind)`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('enums', () => {
  it('are built from the client\'s constants, one value per member', () => {
    const pairs: [string, readonly (string | number)[], string?][] = [
      ['Role', constants.ROLES],
      ['TokenType', constants.TOKEN_TYPES],
      ['MediaMode', constants.MEDIA_MODES],
      ['ArchiveMode', constants.ARCHIVE_MODES],
      ['OutputMode', constants.OUTPUT_MODES],
      ['StreamMode', constants.STREAM_MODES],
      ['Resolution', constants.RESOLUTIONS],
      ['LayoutType', constants.LAYOUT_TYPES],
      ['ScreenshareLayoutType', constants.SCREENSHARE_LAYOUT_TYPES],
      ['ArchiveStatus', constants.ARCHIVE_STATUSES],
      ['BroadcastStatus', constants.BROADCAST_STATUSES],
      ['HlsStatus', constants.HLS_STATUSES],
      ['RtmpStatus', constants.RTMP_STATUSES],
      ['RenderStatus', constants.RENDER_STATUSES],
      ['VideoType', constants.VIDEO_TYPES],
      ['CaptionLanguage', constants.CAPTION_LANGUAGES],
      ['AudioRate', constants.AUDIO_RATES, 'HZ'],
    ];
    for (const [name, values, prefix] of pairs) {
      const type = schema.getType(name);
      if (!isEnumType(type)) throw new Error(`${name} is not an enum`);
      const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      expect(type.getValues().map((v) => [v.name, v.value]).sort(byName)).toEqual(values.map((v) => [enumName(v, prefix), v]).sort(byName));
    }
  });
});

describe('root fields', () => {
  it('has the documented query, mutation and subscription fields', () => {
    const names = (type: ReturnType<typeof schema.getQueryType>) => Object.keys(type!.getFields()).sort();
    expect(names(schema.getQueryType())).toEqual(
      ['archive', 'archives', 'archivesConnection', 'broadcast', 'broadcasts', 'recentEvents', 'render', 'renders', 'session', 'stream', 'streams'].sort(),
    );
    expect(names(schema.getMutationType())).toEqual(
      [
        'createSession', 'generateToken', 'startArchive', 'stopArchive', 'deleteArchive', 'setArchiveLayout', 'addArchiveStream', 'removeArchiveStream',
        'startBroadcast', 'stopBroadcast', 'setBroadcastLayout', 'addBroadcastStream', 'removeBroadcastStream', 'setStreamLayoutClasses', 'sendSignal',
        'forceDisconnect', 'muteStream', 'muteAllStreams', 'disableForceMute', 'dialSip', 'playDtmf', 'connectAudioStream', 'startRender', 'stopRender',
        'startCaptions', 'stopCaptions',
      ].sort(),
    );
    expect(names(schema.getSubscriptionType())).toEqual(['archiveUpdated', 'broadcastUpdated', 'captionsUpdated', 'opentokEvents', 'renderUpdated', 'sessionEvents']);
    const archives = schema.getQueryType()!.getFields().archives!;
    expect(Object.fromEntries(archives.args.map((a) => [a.name, [String(a.type), a.defaultValue]]))).toEqual({
      offset: ['Int', 0],
      count: ['Int', 50],
      sessionId: ['ID', undefined],
    });
    const page = schema.getType('ArchivePage');
    if (!isObjectType(page)) throw new Error('ArchivePage is not an object type');
    expect(Object.keys(page.getFields()).sort()).toEqual(['hasMore', 'items', 'totalCount']);
  });
});
