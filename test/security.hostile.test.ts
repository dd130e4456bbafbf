/**
 * Hostile input: thousands of generated requests (malformed JSON, wrong variable types, huge
 * strings, deep nesting, alias and fragment bombs, unicode edge cases, oversized signal data,
 * invalid ids, wrong methods and media types) against a running gateway over real HTTP.
 * No 5xx other than deliberate upstream errors, no crash, every rejection with a code, and the
 * emulator's state unchanged by what was rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securedGateway, type SecuredGateway } from './support/auth.js';

/** A small seeded PRNG, so a failure can be replayed exactly. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20261204);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;

interface Probe {
  category: string;
  method?: string;
  contentType?: string;
  /** Raw body text (sent as is), or a JSON value. */
  raw?: string;
  json?: unknown;
  query?: string;
}

let t: SecuredGateway;
let sessionId: string;

const NASTY_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
  "' OR '1'='1",
  '"; DROP TABLE archives; --',
  '<script>alert(1)</script>',
  '\u0000',
  '\u202eevil\u202c',
  '\ufeffbom',
  '𝕬𝖗𝖈𝖍𝖎𝖛𝖊 🎥🎬',
  'Z̷̧̛̖̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌ͅ͏͓͔͕͖͙͚͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ͘͜͟͢͝͞͠͡',
  '1_',
  '1_MX4xMjM0NTZ-',
  '2_MX4xMjM0NTZ-fjE3MjAwMDAwMDAwMDB-Zm9vYmFyfn4',
  'T1==' + 'A'.repeat(50),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '\n\r\t',
  '\\u0000',
];
const nasty = () => (random() < 0.2 ? 'x'.repeat(int(200, 20_000)) : pick(NASTY_STRINGS));
const lit = (s: string) => JSON.stringify(s);

const generators: Record<string, () => Probe> = {
  malformedJson: () => {
    const valid = JSON.stringify({ query: '{ archives { totalCount } }', variables: {} });
    const kind = int(0, 7);
    if (kind === 0) return { category: 'malformedJson', raw: valid.slice(0, int(0, valid.length - 1)) };
    if (kind === 1) return { category: 'malformedJson', raw: Array.from({ length: int(1, 300) }, () => String.fromCharCode(int(0, 0xffff))).join('') };
    if (kind === 2) return { category: 'malformedJson', json: pick([null, 42, 'query', [], [1, 2], true, { query: {} }, { query: ['{ a }'] }, { query: null }]) };
    if (kind === 3) return { category: 'malformedJson', json: { query: '{ archives { totalCount } }', variables: pick(['str', 5, [1], true]) } };
    if (kind === 4) return { category: 'malformedJson', json: { query: '{ archives { totalCount } }', operationName: pick([5, {}, 'Nope', '']) } };
    if (kind === 5) return { category: 'malformedJson', json: { query: '{ archives { totalCount } }', extensions: pick([5, 'x', { persistedQuery: { version: 2, sha256Hash: 5 } }]) } };
    if (kind === 6) return { category: 'malformedJson', raw: `{"query":"{ archives { totalCount } }","variables":${'['.repeat(int(100, 5000))}` };
    return { category: 'malformedJson', raw: `${valid}${pick(['}', ',', 'garbage', '\u0000', ']'])}` };
  },
  wrongVariableTypes: () => {
    const cases: [string, unknown][] = [
      ['query($c: Int) { archives(count: $c) { totalCount } }', pick(['x', 1.5, 1e20, -1, [1], { a: 1 }, true, 2 ** 31])],
      ['query($id: ID!) { archive(id: $id) { id } }', pick([null, {}, [], true, 1.5])],
      ['mutation($i: CreateSessionInput) { createSession(input: $i) { id } }', pick([{ mediaMode: 'NOPE' }, { e2ee: 'yes' }, { archiveMode: 5 }, { location: 7 }, 'x', [1]])],
      ['mutation($i: GenerateTokenInput!) { generateToken(input: $i) { token } }', pick([{}, { sessionId: 5 }, { sessionId: 'x', role: 'ADMIN' }, { sessionId: 'x', expireTime: 'tomorrow' }, { sessionId: 'x', expireTime: 5 }])],
      ['query($s: ID!) { streams(sessionId: $s) { id } }', pick([undefined, null, 5.5, { id: 1 }])],
    ];
    const [query, value] = pick(cases);
    const name = /\$(\w+)/.exec(query)![1]!;
    return { category: 'wrongVariableTypes', json: { query, variables: value === undefined ? {} : { [name]: value } } };
  },
  hugeStrings: () => {
    const size = pick([1_000, 10_000, 50_000, 90_000, 150_000, 1_000_000]);
    const big = 'A'.repeat(size);
    return pick<Probe>([
      { category: 'hugeStrings', json: { query: 'query($s: ID!) { streams(sessionId: $s) { id } }', variables: { s: big } } },
      { category: 'hugeStrings', json: { query: `{ archive(id: ${lit(big)}) { id } }` } },
      { category: 'hugeStrings', json: { query: 'mutation($d: String!) { generateToken(input: { sessionId: "1_x", data: $d }) { token } }', variables: { d: big } } },
      { category: 'hugeStrings', json: { query: `{ archives { totalCount } }`, operationName: big } },
      { category: 'hugeStrings', json: { query: `# ${big}\n{ archives { totalCount } }` } },
    ]);
  },
  deepNesting: () => {
    const depth = int(8, 80);
    const kind = int(0, 2);
    if (kind === 0) {
      let nested = 'id';
      for (let i = 0; i < depth; i++) nested = `session { archives { items { ${nested} } } }`;
      return { category: 'deepNesting', query: `{ archives { items { ${nested} } } }` };
    }
    if (kind === 1) return { category: 'deepNesting', query: `${'{ '.repeat(depth * 10)}${'} '.repeat(depth * 10)}` };
    return { category: 'deepNesting', json: { query: `mutation { createSession(input: ${'{ location: '.repeat(depth)}"x"${' }'.repeat(depth)}) { id } }` } };
  },
  aliasBombs: () => {
    const n = int(51, 3000);
    const field = pick(['archive(id: "00000000-0000-0000-0000-000000000000") { id }', 'session(id: "1_x") { id }', '__typename', 'streams(sessionId: "1_x") { id }']);
    return { category: 'aliasBombs', query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }` };
  },
  fragmentBombs: () => {
    const kind = int(0, 2);
    if (kind === 0) return { category: 'fragmentBombs', query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }' };
    if (kind === 1) {
      // Each level spreads the previous one twice: 2^n fields once flattened.
      const n = int(5, 25);
      const frags = [`fragment F0 on Query { archives { totalCount } }`];
      for (let i = 1; i <= n; i++) frags.push(`fragment F${i} on Query { a${i}: archives { totalCount } ...F${i - 1} ...F${i - 1} }`);
      return { category: 'fragmentBombs', query: `{ ...F${n} } ${frags.join(' ')}` };
    }
    const n = int(50, 800);
    return { category: 'fragmentBombs', query: `{ ${Array.from({ length: n }, (_, i) => `...G${i}`).join(' ')} } ${Array.from({ length: n }, (_, i) => `fragment G${i} on Query { archives { totalCount } }`).join(' ')}` };
  },
  unicode: () => {
    const s = pick(['\ud800', '\udfff', '\u0000', '\u202e', '\uffff', '🎥'.repeat(int(1, 500)), 'é'.normalize('NFD'), '\u2028\u2029', 'ﷺ', '\u{10ffff}']);
    return pick<Probe>([
      // Lone surrogates and NUL as JSON escapes: valid JSON, invalid Unicode.
      { category: 'unicode', raw: `{"query":"query($id: ID!) { archive(id: $id) { id } }","variables":{"id":"\\ud800\\u0000${'\\udfff'.repeat(int(1, 50))}"}}` },
      { category: 'unicode', json: { query: 'mutation($d: String!) { generateToken(input: { sessionId: "1_not-a-session", data: $d }) { token } }', variables: { d: s } } },
      { category: 'unicode', json: { query: 'mutation($d: String!, $s: ID!) { sendSignal(sessionId: $s, data: $d, type: "\u202e") { sessionId } }', variables: { d: s, s: `1_${s}` } } },
      { category: 'unicode', json: { query: `{ archive(id: ${lit(s)}) { id } }` } },
      { category: 'unicode', json: { query: `{ ${s}archives { totalCount } }` } },
    ]);
  },
  oversizedSignal: () => {
    const data = 'd'.repeat(int(8_193, 60_000));
    return pick<Probe>([
      { category: 'oversizedSignal', json: { query: 'mutation($s: ID!, $d: String!) { sendSignal(sessionId: $s, data: $d) { sessionId } }', variables: { s: sessionId, d: data } } },
      { category: 'oversizedSignal', json: { query: 'mutation($s: ID!, $t: String!) { sendSignal(sessionId: $s, data: "x", type: $t) { sessionId } }', variables: { s: sessionId, t: 't'.repeat(int(129, 5000)) } } },
      { category: 'oversizedSignal', json: { query: 'mutation($s: ID!, $t: String!) { sendSignal(sessionId: $s, data: "x", type: $t) { sessionId } }', variables: { s: sessionId, t: pick(['has space', 'semi;colon', 'ü', '\u0000']) } } },
    ]);
  },
  invalidIds: () => {
    const id = nasty();
    return pick<Probe>([
      { category: 'invalidIds', json: { query: 'query($id: ID!) { archive(id: $id) { id } }', variables: { id } } },
      { category: 'invalidIds', json: { query: 'query($id: ID!) { broadcast(id: $id) { id } }', variables: { id } } },
      { category: 'invalidIds', json: { query: 'query($id: ID!) { render(id: $id) { id } }', variables: { id } } },
      { category: 'invalidIds', json: { query: 'query($id: ID!) { session(id: $id) { id createdAt } }', variables: { id } } },
      { category: 'invalidIds', json: { query: 'query($s: ID!, $id: ID!) { stream(sessionId: $s, id: $id) { id } }', variables: { s: sessionId, id } } },
      { category: 'invalidIds', json: { query: 'query($s: ID!) { streams(sessionId: $s) { id } }', variables: { s: id } } },
      { category: 'invalidIds', json: { query: 'mutation($id: ID!) { stopArchive(id: $id) { id } }', variables: { id } } },
      { category: 'invalidIds', json: { query: 'mutation($id: ID!) { deleteArchive(id: $id) { deletedArchiveId } }', variables: { id } } },
      { category: 'invalidIds', json: { query: 'mutation($id: ID!) { stopBroadcast(id: $id) { id } }', variables: { id } } },
      { category: 'invalidIds', json: { query: 'mutation($s: ID!, $c: ID!) { forceDisconnect(sessionId: $s, connectionId: $c) { sessionId } }', variables: { s: sessionId, c: id } } },
      { category: 'invalidIds', json: { query: 'mutation($s: ID!, $c: ID!) { muteStream(sessionId: $s, streamId: $c) { sessionId } }', variables: { s: sessionId, c: id } } },
      { category: 'invalidIds', json: { query: 'mutation($s: ID!) { startArchive(input: { sessionId: $s }) { id } }', variables: { s: id } } },
    ]);
  },
  httpLevel: () =>
    pick<Probe>([
      { category: 'httpLevel', method: pick(['PUT', 'DELETE', 'PATCH']), json: { query: '{ archives { totalCount } }' } },
      { category: 'httpLevel', contentType: pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16']), raw: '{"query":"{ archives { totalCount } }"}' },
      { category: 'httpLevel', method: 'GET', query: pick(['mutation { createSession { id } }', '{ archives { totalCount } }', '']) },
      { category: 'httpLevel', raw: '' },
    ]),
};

async function send(probe: Probe): Promise<{ status: number; text: string }> {
  const method = probe.method ?? (probe.query !== undefined && probe.json === undefined && probe.raw === undefined && probe.category === 'httpLevel' ? 'GET' : 'POST');
  const headers: Record<string, string> = { 'content-type': probe.contentType ?? 'application/json', 'graphql-require-preflight': '1' };
  let url = `${t.url}/graphql`;
  let body: string | undefined;
  if (method === 'GET') {
    url += `?query=${encodeURIComponent(probe.query ?? '')}`;
  } else {
    body = probe.raw ?? JSON.stringify(probe.json ?? { query: probe.query });
  }
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, text: await response.text() };
}

async function snapshot() {
  const session = await (await fetch(`${t.emulator.url}/_emulator/sessions/${sessionId}`)).json();
  const lists = await t.post('{ archives { totalCount } broadcasts { totalCount } renders { totalCount } }');
  return { session, lists: lists.body.data };
}

beforeAll(async () => {
  // Open mode (every scope), no rate limit: the deepest paths are reachable.
  t = await securedGateway(null, { listen: true, security: { rateLimit: null } });
  sessionId = (await t.post('mutation { createSession(input: { mediaMode: ROUTED }) { id } }')).body.data.createSession.id;
});
afterAll(() => t?.close());

describe('hostile input', () => {
  it('2,200 generated requests: no 5xx, no crash, every rejection coded, emulator state unchanged', async () => {
    const before = await snapshot();
    const probes: Probe[] = [];
    const categories = Object.keys(generators);
    for (let i = 0; i < 2200; i++) probes.push(generators[categories[i % categories.length]!]!());

    const tally: Record<string, Record<string, number>> = {};
    const problems: string[] = [];
    for (let i = 0; i < probes.length; i += 25) {
      const batch = probes.slice(i, i + 25);
      const results = await Promise.all(batch.map(send));
      results.forEach(({ status, text }, j) => {
        const probe = batch[j]!;
        let codes: string[] = [];
        type Body = { errors?: { extensions?: { code?: unknown } }[] };
        let parsed: Body | null = null;
        try {
          parsed = JSON.parse(text) as Body;
        } catch {
          parsed = null;
        }
        if (parsed?.errors) codes = parsed.errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNCODED'));
        const outcome = codes.length ? `${status} ${[...new Set(codes)].sort().join('+')}` : `${status}${parsed ? '' : ' (no body)'}`;
        (tally[probe.category] ??= {})[outcome] = (tally[probe.category]![outcome] ?? 0) + 1;
        const upstreamOnly = codes.length > 0 && codes.every((c) => c === 'UPSTREAM_ERROR' || c === 'UPSTREAM_UNAVAILABLE');
        if (status >= 500 && !upstreamOnly) problems.push(`${probe.category}: ${status} ${text.slice(0, 200)}`);
        // An unexpected (masked) error means some input reached code that did not expect it.
        if (codes.includes('INTERNAL_SERVER_ERROR')) problems.push(`${probe.category}: unexpected error for ${JSON.stringify(probe).slice(0, 300)}`);
        if (codes.includes('UNCODED')) problems.push(`${probe.category}: uncoded error ${text.slice(0, 300)}`);
        // A refusal without a JSON body must be an HTTP-level one whose status is the code.
        if (!parsed && status >= 400 && ![405, 406, 413, 415].includes(status)) problems.push(`${probe.category}: ${status} without a coded body: ${text.slice(0, 200)}`);
      });
    }
    // The summary is the report for the issue note.
    console.log(`hostile input: ${probes.length} requests\n${Object.entries(tally).map(([c, o]) => `  ${c}: ${JSON.stringify(o)}`).join('\n')}`);
    expect(problems).toEqual([]);
    expect(probes.length).toBeGreaterThanOrEqual(2000);

    // Still serving, and nothing rejected changed the emulator.
    expect((await t.post('{ archives { totalCount } }')).status).toBe(200);
    expect(await snapshot()).toEqual(before);
  }, 180_000);
});
