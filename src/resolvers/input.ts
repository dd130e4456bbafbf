/** GraphQL hands resolvers explicit nulls; the client's options want absent keys. */
type NullableKeys<T> = { [K in keyof T]-?: null extends T[K] ? K : undefined extends T[K] ? K : never }[keyof T];
type Simplify<T> = { [K in keyof T]: T[K] };

/** `T` with explicit nulls removed: nullable keys become optional, required keys stay required. */
export type NoNulls<T> = T extends (infer U)[]
  ? NoNulls<U>[]
  : T extends Date
    ? T
    : T extends object
      ? Simplify<
          { [K in Exclude<keyof T, NullableKeys<T>>]: NoNulls<T[K]> } & {
            [K in NullableKeys<T>]?: NoNulls<Exclude<T[K], null | undefined>>;
          }
        >
      : T;

/** Drops null and undefined values, recursively through plain objects and arrays. */
export function withoutNulls<T>(value: T): NoNulls<T> {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNulls(item)) as NoNulls<T>;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== null && item !== undefined) out[key] = withoutNulls(item);
    }
    return out as NoNulls<T>;
  }
  return value as NoNulls<T>;
}

/** `{ a: 1 }` → `[{ name: 'a', value: 1 }]` and back: GraphQL has no map type. */
export function headersFrom(list: readonly { name: string; value: string }[] | null | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  return Object.fromEntries(list.map(({ name, value }) => [name, value]));
}
