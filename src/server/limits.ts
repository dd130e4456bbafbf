/**
 * What one request may ask for, refused before anything reaches OpenTok: body size, depth,
 * aliases, tokens, directives and estimated cost (GraphQL Armor), field suggestions (hidden in
 * production: they map the schema for an attacker), introspection (configurable), CSRF
 * (browser requests must be preflighted) and the optional persisted-operations allow-list.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isInputObjectType,
  isListType,
  isScalarType,
  Kind,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { DEFAULT_LIMITS, type LimitsConfig } from './security-config.js';

// Report limit violations as validation errors (HTTP 400 like any invalid document) rather
// than throwing out of validation, which would surface as an unexplained 200.
const reportAsValidationError = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

function bodyTooLarge(max: number): GraphQLError {
  return createGraphQLError(`The request body is larger than ${max} bytes`, { extensions: { code: 'BAD_USER_INPUT', http: { status: 413 } } });
}

/** Reads a body stream, giving up as soon as it exceeds `max` bytes (chunked bodies have no length to check first). */
async function readLimited(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Refuses bodies over the limit: by Content-Length up front, and while reading otherwise. */
export function bodyLimitPlugin(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      // Only one non-negative integer is a Content-Length (comma-joined values are a smuggling
      // trick); yoga's own body limit checked this, and it is switched off (src/server/yoga.ts).
      if (length !== null && !/^\d+$/.test(length)) {
        throw createGraphQLError('Content-Length header is invalid.', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
      }
      if (length !== null && Number(length) > maxBytes) throw bodyTooLarge(maxBytes);
      if (!request.body || !requestParser) return;
      setRequestParser(async (original) => {
        const bytes = await readLimited(original.body!, maxBytes);
        return requestParser(new fetchAPI.Request(original.url, { method: original.method, headers: original.headers, body: bytes as Uint8Array<ArrayBuffer> }));
      });
    },
  };
}

/** The armor rules, each reported as a 400 validation error naming the limit. */
export function armorPlugins(limits: Pick<LimitsConfig, 'maxDepth' | 'maxAliases' | 'maxTokens' | 'maxDirectives' | 'maxCost' | 'production'>): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.maxTokens }),
    maxDepthPlugin({ n: limits.maxDepth, flattenFragments: true, ...reportAsValidationError }),
    maxAliasesPlugin({ n: limits.maxAliases, ...reportAsValidationError }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...reportAsValidationError }),
    // Each object costs 2 and each scalar 1, multiplied by depth: a wide page of archives with
    // their sessions' streams stays far below the default 5000; fan-out bombs do not.
    costLimitPlugin({ maxCost: limits.maxCost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, flattenFragments: true, ignoreIntrospection: true, ...reportAsValidationError }),
    ...(limits.production ? [blockFieldSuggestionsPlugin({ mask: '[Suggestion hidden]' })] : []),
  ] as Plugin[];
}

export function introspectionPlugin(enabled: boolean): Plugin[] {
  return enabled ? [] : [useDisableIntrospection() as Plugin];
}

/**
 * Browsers may send "simple" cross-site requests (GET, form posts) without a CORS preflight;
 * those must carry a header a form cannot set. JSON POSTs are preflighted anyway, and a request
 * with an Authorization header cannot be simple.
 */
export function csrfPlugin(): Plugin {
  return useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'graphql-require-preflight', 'apollo-require-preflight', 'authorization'] }) as Plugin;
}

export interface PersistedOperations {
  /** Allowed sha256 hashes (hex, lower case). */
  hashes: ReadonlySet<string>;
  /** Documents by hash, when the file carries them. */
  documents: ReadonlyMap<string, string>;
}

/** Reads the allow-list: `["<sha256>", …]` or `{ "<sha256>": "<document>", … }`. Throws with the reason. */
export function loadPersistedOperations(path: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): PersistedOperations {
  const parsed: unknown = JSON.parse(read(path));
  const hashes = new Set<string>();
  const documents = new Map<string, string>();
  const isHash = (h: string) => /^[0-9a-f]{64}$/i.test(h);
  if (Array.isArray(parsed)) {
    for (const h of parsed) {
      if (typeof h !== 'string' || !isHash(h)) throw new Error(`${path}: every entry must be a sha256 hex hash; got ${JSON.stringify(h)}`);
      hashes.add(h.toLowerCase());
    }
  } else if (parsed !== null && typeof parsed === 'object') {
    for (const [h, doc] of Object.entries(parsed)) {
      if (!isHash(h) || typeof doc !== 'string') throw new Error(`${path}: expected { "<sha256>": "<document>" }; bad entry ${JSON.stringify(h)}`);
      const actual = sha256(doc);
      if (actual !== h.toLowerCase()) throw new Error(`${path}: the document under ${h} hashes to ${actual}`);
      hashes.add(actual);
      documents.set(actual, doc);
    }
  } else {
    throw new Error(`${path}: expected a JSON array of hashes or an object of hash → document`);
  }
  return { hashes, documents };
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Only listed operations run. A client sends either the hash alone (`extensions.persistedQuery`
 * as in APQ, or `documentId`), served from the file's documents, or the full text of a listed
 * operation (its sha256 must be in the list).
 */
export function persistedOperationsPlugins(list: PersistedOperations): Plugin[] {
  const queries = new WeakMap<Request, string>();
  const recordQuery: Plugin = {
    onParams({ params, request }) {
      if (typeof params.query === 'string') queries.set(request, params.query);
    },
  };
  const refuse = (message: string, code: string) => createGraphQLError(message, { extensions: { code, http: { status: 400 } } });
  return [
    recordQuery,
    usePersistedOperations({
      allowArbitraryOperations: (request) => {
        const query = queries.get(request);
        return query !== undefined && list.hashes.has(sha256(query));
      },
      extractPersistedOperationId: (params) => {
        const ext = params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined;
        const hash = ext?.persistedQuery?.sha256Hash ?? (params as { documentId?: unknown }).documentId;
        return typeof hash === 'string' ? hash.replace(/^sha256:/, '').toLowerCase() : null;
      },
      getPersistedOperation: (key) => (list.hashes.has(key) ? list.documents.get(key) ?? null : null),
      customErrors: {
        notFound: () => refuse('This operation is not in the allow-list of persisted operations', 'PERSISTED_QUERY_NOT_FOUND'),
        persistedQueryOnly: () => refuse('Only persisted operations are accepted: this operation is not in the allow-list', 'PERSISTED_QUERY_ONLY'),
        keyNotFound: () => refuse('Send a persisted operation hash (extensions.persistedQuery.sha256Hash or documentId)', 'PERSISTED_QUERY_ID_REQUIRED'),
      },
    }) as Plugin,
  ];
}

/**
 * Every refusal carries a code. Yoga and graphql-js already code most of theirs
 * (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_REQUEST); the two that come uncoded are
 * variables that do not fit their types and the CSRF refusal.
 */
function codeFor(message: string): string {
  if (/^Variable "\$/.test(message)) return 'BAD_USER_INPUT';
  if (/CSRF/.test(message)) return 'CSRF_PREVENTED';
  return 'BAD_REQUEST';
}

type ResultLike = { errors?: readonly GraphQLError[] } & Record<string, unknown>;

function withCodes(result: ResultLike): ResultLike {
  if (!result.errors?.some((e) => typeof e.extensions?.code !== 'string')) return result;
  return {
    ...result,
    errors: result.errors.map((e) =>
      typeof e.extensions?.code === 'string'
        ? e
        : createGraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions: { ...e.extensions, code: codeFor(e.message) } }),
    ),
  };
}

export function errorCodesPlugin(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      // Streams (SSE) carry execution results, whose errors the schema and mask already code.
      if (Symbol.asyncIterator in (result as object)) return;
      const fixed = Array.isArray(result) ? result.map((r) => withCodes(r as ResultLike)) : withCodes(result as ResultLike);
      setResult(fixed as typeof result);
    },
  };
}

/**
 * Text that no OpenTok id or string can be, refused at the edge as BAD_USER_INPUT instead of
 * failing deep inside (a lone surrogate breaks URL encoding; a megabyte id becomes an upstream
 * 414): ids longer than 512 characters or with control characters, and malformed Unicode in any
 * string. Literals are checked by a validation rule, variables before execution.
 */
export const ID_MAX_LENGTH = 512;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function textProblem(value: string, isId: boolean): string | null {
  if (LONE_SURROGATE.test(value)) return 'contains malformed Unicode (a lone surrogate)';
  if (isId && value.length > ID_MAX_LENGTH) return `is longer than ${ID_MAX_LENGTH} characters, which no OpenTok id is`;
  if (isId && CONTROL.test(value)) return 'contains control characters, which no OpenTok id does';
  return null;
}

const idLiteralRule: ValidationRule = (context) => ({
  StringValue(node) {
    const type = context.getInputType();
    const named = type ? getNamedType(type) : null;
    const problem = textProblem(node.value, named?.name === 'ID');
    if (problem) context.reportError(new GraphQLError(`The ${named?.name ?? 'string'} value ${problem}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
  },
});

function variableProblem(value: unknown, type: GraphQLInputType, path: string): { path: string; problem: string } | null {
  const inner = getNullableType(type);
  if (value === null || value === undefined) return null;
  if (isListType(inner)) {
    const items = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const found = variableProblem(items[i], inner.ofType, `${path}.${i}`);
      if (found) return found;
    }
    return null;
  }
  if (isInputObjectType(inner)) {
    if (typeof value !== 'object') return null;
    const fields = inner.getFields();
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      const def = fields[key];
      if (!def) continue;
      const found = variableProblem(field, def.type, `${path}.${key}`);
      if (found) return found;
    }
    return null;
  }
  if (isScalarType(inner) && typeof value === 'string') {
    const problem = textProblem(value, inner.name === 'ID');
    return problem ? { path, problem } : null;
  }
  return null;
}

export function inputHygienePlugin(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(idLiteralRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const schema: GraphQLSchema = args.schema;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      for (const definition of args.document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        for (const variable of definition.variableDefinitions ?? []) {
          const type = typeFromAST(schema, variable.type) as GraphQLInputType | undefined;
          if (!type) continue;
          const name = variable.variable.name.value;
          const found = variableProblem(variables[name], type, `$${name}`);
          if (found) {
            setResultAndStopExecution({ errors: [createGraphQLError(`Variable ${found.path} ${found.problem}`, { extensions: { code: 'BAD_USER_INPUT', field: found.path } })] });
            return;
          }
        }
      }
    },
  };
}

export { DEFAULT_LIMITS };
