/**
 * cdktf resolves every stack twice at synthesis (once preparing, once for the output), and its resolver
 * (`cdktf/lib/tokens/private/resolve`) allocates a context object, two closures and a copy of the path
 * for every key and every array element it visits, whether or not the value holds a token. A generated
 * provider class hands it every attribute of its schema, most of them `undefined`, so an app with 100
 * endpoints and drift alarms makes it visit about a million values per pass. How fast that runs then
 * depends on whether V8 happens to inline and escape-analyse those allocations: measured here on one
 * build, the same synthesis took 2.7-3.2 s of CPU and 250 MiB in some processes and 6.3-6.7 s and
 * 470 MiB in others (`--no-concurrent-recompilation` made every run fast; `npm run bench`).
 *
 * So the library puts a walk in front of it when it loads: plain data (strings and numbers that hold no
 * token, arrays and plain objects of them) is copied without any context, exactly as cdktf's resolver
 * would copy it (undefined keys and array elements dropped, empty objects and arrays kept), and
 * anything that holds a token (a token string, number, list or map, an `IResolvable`, a key holding a
 * token), anything cdktf rejects (a function, a construct, a path deeper than 200) goes to cdktf's own
 * resolver with the path it would have had. Only top-level calls take the walk; calls that carry a
 * resolution context (from inside a token's resolution) go to cdktf's resolver unchanged. The output is
 * the same by construction, and test/core/fast-resolve.test.ts checks it against cdktf's resolver on
 * generated structures and on every example. To use cdktf's resolver alone, set
 * `CDKTF_MLOPS_CDKTF_RESOLVE=1`.
 *
 * cdktf 0.21 (the last release) calls its resolver through the module's exports (`Tokenization.resolve`
 * is its one caller), so replacing the export takes effect everywhere.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { envFlag } from "./env-flag";

type Options = {
  scope: unknown;
  resolver: unknown;
  preparing: boolean;
  prefix?: string[];
  previousContext?: unknown;
};
type Resolve = (obj: unknown, options: Options) => unknown;

const resolveModule = require("cdktf/lib/tokens/private/resolve") as { resolve: Resolve };
const encoding = require("cdktf/lib/tokens/private/encoding") as {
  containsStringListTokenElement(xs: unknown[]): boolean;
  containsNumberListTokenElement(xs: unknown[]): boolean;
  containsMapToken(xs: object): boolean;
  unresolved(obj: unknown): boolean;
  extractTokenDouble(x: number, list: boolean): number | undefined;
};
const { Token } = require("cdktf") as typeof import("cdktf");

/** cdktf's own resolver, as the module exported it when the library loaded. */
export const cdktfResolve: Resolve = resolveModule.resolve;

/** Every token marker (`${TfToken[`, `#{TfToken[`, `&{TfToken[`) holds this. */
const MARKER = "TfToken[";
/** cdktf's pattern for numbers encoded in strings (`NUMBER_TOKEN_REGEX`, without its `g` flag). */
const NUMBER_IN_STRING = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;
const MAP_TOKEN_STRINGS = new Set<string>([Token.STRING_MAP_TOKEN_VALUE, Token.ANY_MAP_TOKEN_VALUE]);
/** cdktf's depth limit (`prefix.length > 200` throws). */
const MAX_DEPTH = 200;

/** Whether cdktf's resolver would return the string unchanged without consulting any token. */
function plainString(s: string): boolean {
  return s.indexOf(MARKER) === -1 && !MAP_TOKEN_STRINGS.has(s) && !NUMBER_IN_STRING.test(s);
}

/** The walk itself (what `useFastResolve` puts in place), for tests that compare it with {@link cdktfResolve}. */
export function libraryResolve(obj: unknown, options: Options): unknown {
  if (options.previousContext !== undefined) return cdktfResolve(obj, options);
  const path = options.prefix ? [...options.prefix] : [];
  const delegate = (x: unknown) => cdktfResolve(x, { ...options, prefix: [...path] });

  const walk = (x: unknown): unknown => {
    if (path.length > MAX_DEPTH) return delegate(x); // cdktf throws, naming the path
    if (x === undefined || x === null) return x;
    switch (typeof x) {
      case "string":
        return plainString(x) ? x : delegate(x);
      case "number":
        return x === Token.NUMBER_MAP_TOKEN_VALUE || encoding.extractTokenDouble(x, false) !== undefined ? delegate(x) : x;
      case "object":
        break;
      case "function":
        return delegate(x);
      default:
        return x;
    }
    if (x instanceof Date) return x;
    if (Array.isArray(x)) {
      if (encoding.containsStringListTokenElement(x) || encoding.containsNumberListTokenElement(x)) return delegate(x);
      const out: unknown[] = [];
      for (let i = 0; i < x.length; i++) {
        path.push(`${i}`);
        const v = walk(x[i]);
        path.pop();
        if (v !== undefined) out.push(v);
      }
      return out;
    }
    if (encoding.containsMapToken(x) || encoding.unresolved(x) || isConstruct(x)) return delegate(x);
    const keys = Object.keys(x);
    for (const k of keys) if (!plainString(k)) return delegate(x);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      path.push(k);
      const v = walk((x as Record<string, unknown>)[k]);
      path.pop();
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  return walk(obj);
}

/** cdktf's test for a construct in a resolved value (which it rejects). */
function isConstruct(x: object): boolean {
  const o = x as { _children?: unknown; _metadata?: unknown };
  return o._children !== undefined && o._metadata !== undefined;
}

/** Puts the walk in front of cdktf's resolver, or takes it away; returns whether it is now in place. */
export function useFastResolve(env: Record<string, string | undefined> = process.env): boolean {
  const off = envFlag(env, "CDKTF_MLOPS_CDKTF_RESOLVE");
  resolveModule.resolve = off ? cdktfResolve : libraryResolve;
  return !off;
}

useFastResolve();
