/**
 * A small table of compiled routes. The emulator has ~45 fixed routes; grouping them by segment
 * count and comparing literal segments is faster than a general router and allocates only the
 * parameter array, which matters on the benchmarked read paths.
 */

export interface Route<H> {
  method: string;
  /** Stable operation name, used for request counters and faults (see docs/emulator.md). */
  op: string;
  handler: H;
  /** Literal segment, or null for a parameter. */
  segments: (string | null)[];
}

export interface Match<H> {
  route: Route<H>;
  params: string[];
}

export type RouteResult<H> = Match<H> | { allow: string[] } | null;

export class Router<H> {
  private readonly byLength = new Map<number, Route<H>[]>();

  add(method: string, pattern: string, op: string, handler: H): this {
    const segments = pattern.split('/').slice(1).map((s) => (s.startsWith(':') ? null : s));
    const list = this.byLength.get(segments.length) ?? [];
    list.push({ method, op, handler, segments });
    this.byLength.set(segments.length, list);
    return this;
  }

  /**
   * Finds the route for a path (without query). A trailing slash is ignored (`@vonage/video`
   * calls `/broadcast/`). Returns `{allow}` when the path exists under other methods (405).
   */
  find(method: string, path: string): RouteResult<H> {
    let p = path;
    if (p.length > 1 && p.charCodeAt(p.length - 1) === 47 /* / */) p = p.slice(0, -1);
    const parts = p.split('/');
    const candidates = this.byLength.get(parts.length - 1);
    if (candidates === undefined) return null;
    let allow: string[] | null = null;
    for (const route of candidates) {
      const params = matchSegments(route.segments, parts);
      if (params === null) continue;
      if (route.method === method) return { route, params };
      (allow ??= []).push(route.method);
    }
    return allow === null ? null : { allow };
  }
}

function matchSegments(segments: (string | null)[], parts: string[]): string[] | null {
  const params: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const literal = segments[i];
    const part = parts[i + 1]!;
    if (literal === null) {
      if (part === '') return null;
      params.push(part.includes('%') ? safeDecode(part) : part);
    } else if (literal !== part) {
      return null;
    }
  }
  return params;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
