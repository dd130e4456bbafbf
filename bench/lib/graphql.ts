/** A minimal GraphQL-over-HTTP POST for checks outside the timed loops. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
  });
  const text = await res.text();
  try {
    return JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    throw new Error(`${url} → ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
}

/** Throws unless the response has data and no errors; returns the data. */
export async function graphqlOk<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<T> {
  const r = await graphql<T>(url, query, variables, headers);
  if (r.errors?.length || r.data == null) {
    throw new Error(`${url}: ${JSON.stringify(r.errors ?? r).slice(0, 500)}`);
  }
  return r.data;
}
