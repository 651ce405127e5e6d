// The small subset of CEL that workload identity providers use in attribute mappings and
// conditions (`assertion.x` / `attribute.x` / `google.subject` paths, string literals,
// true/false, lists, ==, !=, in, !, &&, ||, parentheses, .startsWith/.endsWith/.contains),
// plus what IAM condition bindings use: `request.time`, `resource.name|type|service`,
// `timestamp('RFC 3339')` and <, <=, >, >= between timestamps.
// Anything else is a syntax error, as an unsupported expression should be loud in tests.
// IAM conditions also get integers, the timestamp accessors, extract() and the tag functions
// (cel-functions.ts).
import {
  CelError,
  type CelTag,
  CelTime,
  stringFunction,
  TAG_FUNCTIONS,
  tagFunction,
  timeFunction,
} from './cel-functions.ts';

export { CelError, CelTime } from './cel-functions.ts';

export type CelValue = string | boolean | number | CelTime | CelValue[] | undefined;
export interface CelEnv {
  assertion?: Record<string, unknown>;
  attribute?: Record<string, string>;
  google?: Record<string, string>;
  request?: Record<string, unknown>;
  resource?: Record<string, unknown>;
  /** The tags of the resource (resource.matchTag & co.); absent: the functions are unknown. */
  tags?: readonly CelTag[];
  /** Only these method names may be called (deny conditions allow the tag functions alone). */
  onlyFunctions?: ReadonlySet<string>;
}

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(==|!=|<=|>=|&&|\|\||[<>!()[\],.])|(\d+)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw new CelError(`CEL: unsupported syntax at position ${at}: ${src.slice(at, at + 20)}`, true);
    out.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
  }
  return out;
}

/** A method call on a value: string, timestamp, or resource (tags) methods. */
function callMethod(
  env: CelEnv,
  name: string,
  target: unknown,
  onResource: boolean,
  args: CelValue[],
  src: string,
): CelValue {
  if (env.onlyFunctions && !env.onlyFunctions.has(name))
    throw new CelError(`CEL: ${name}() is not supported here in: ${src}`, true);
  if (onResource && TAG_FUNCTIONS.has(name)) {
    if (!env.tags) throw new CelError(`CEL: unsupported function ${name}() in: ${src}`);
    return tagFunction(name, env.tags, args);
  }
  if (target instanceof CelTime) return timeFunction(name, target, args);
  if (typeof target === 'string') return stringFunction(name, target, args);
  throw new CelError(`CEL: unsupported function ${name}() in: ${src}`);
}

export function evaluateCel(src: string, env: CelEnv): CelValue {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const eat = (want?: string): string => {
    const tok = t[i++];
    if (tok === undefined || (want !== undefined && tok !== want)) {
      throw new CelError(
        `CEL: expected ${want ?? 'a token'} but found ${tok ?? 'end of expression'} in: ${src}`,
        true,
      );
    }
    return tok;
  };
  const isStr = (v: unknown): v is string => typeof v === 'string';
  const only = env.onlyFunctions;

  function args(): CelValue[] {
    eat('(');
    const out: CelValue[] = [];
    while (peek() !== ')') {
      out.push(or());
      if (peek() === ',') eat(',');
      else break;
    }
    eat(')');
    return out;
  }

  function primary(): CelValue {
    const tok = eat();
    if (tok === '(') {
      const v = or();
      eat(')');
      return v;
    }
    if (
      only &&
      !['!', '('].includes(tok) &&
      !(tok === 'resource' && peek() === '.') &&
      !tok.startsWith("'") &&
      !tok.startsWith('"')
    )
      throw new CelError(`CEL: ${tok} is not supported here in: ${src}`, true);
    if (tok === '[') {
      const items: CelValue[] = [];
      while (peek() !== ']') {
        items.push(or());
        if (peek() === ',') eat(',');
      }
      eat(']');
      return items;
    }
    if (tok.startsWith("'") || tok.startsWith('"')) return tok.slice(1, -1).replace(/\\(.)/g, '$1');
    if (/^\d+$/.test(tok)) return Number(tok);
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok === 'timestamp' && peek() === '(') {
      const [arg] = args();
      const ms = isStr(arg) ? Date.parse(arg) : Number.NaN;
      if (Number.isNaN(ms)) throw new CelError(`CEL: timestamp() needs an RFC 3339 string in: ${src}`);
      return new CelTime(ms);
    }
    const roots: Record<string, Record<string, unknown> | undefined> = {
      assertion: env.assertion,
      attribute: env.attribute,
      google: env.google,
      request: env.request,
      resource: env.resource,
    };
    if (!(tok in roots)) throw new CelError(`CEL: unknown identifier ${tok} in: ${src}`);
    let value: unknown = roots[tok];
    let onResource = tok === 'resource';
    while (peek() === '.') {
      eat('.');
      const name = eat();
      if (peek() === '(') {
        value = callMethod(env, name, value, onResource, args(), src);
      } else {
        if (only) throw new CelError(`CEL: ${tok}.${name} is not supported here in: ${src}`, true);
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
        if (value === undefined) throw new CelError(`CEL: no such key: ${name}`);
      }
      onResource = false;
    }
    if (value instanceof CelTime || typeof value === 'number') return value;
    if (typeof value === 'string' || typeof value === 'boolean' || Array.isArray(value))
      return value as CelValue;
    throw new CelError(`CEL: ${tok} does not name a value in: ${src}`);
  }
  function cmp(): CelValue {
    const left = primary();
    const op = peek();
    if (op === '==' || op === '!=' || op === 'in') {
      if (only) throw new CelError(`CEL: ${op} is not supported here in: ${src}`, true);
      eat();
      const right = primary();
      if (op === 'in') return Array.isArray(right) && right.includes(left);
      const same =
        left instanceof CelTime && right instanceof CelTime ? left.ms === right.ms : left === right;
      return op === '==' ? same : !same;
    }
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      if (only) throw new CelError(`CEL: ${op} is not supported here in: ${src}`, true);
      eat();
      const right = primary();
      const bothTimes = left instanceof CelTime && right instanceof CelTime;
      const bothNumbers = typeof left === 'number' && typeof right === 'number';
      if (!bothTimes && !bothNumbers)
        throw new CelError(`CEL: ${op} compares timestamps or numbers only in: ${src}`);
      const d = bothTimes
        ? (left as CelTime).ms - (right as CelTime).ms
        : (left as number) - (right as number);
      return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
    }
    return left;
  }
  function unary(): CelValue {
    if (peek() === '!') {
      eat('!');
      return unary() !== true;
    }
    return cmp();
  }
  function and(): CelValue {
    let v = unary();
    while (peek() === '&&') {
      eat();
      const r = unary();
      v = v === true && r === true;
    }
    return v;
  }
  function or(): CelValue {
    let v = and();
    while (peek() === '||') {
      eat();
      const r = and();
      v = v === true || r === true;
    }
    return v;
  }
  const result = or();
  if (i !== t.length) throw new CelError(`CEL: unexpected ${t[i]} in: ${src}`, true);
  return result;
}

/** Apply an attribute mapping to token claims. Mappings whose source claim is absent yield no attribute. */
export function mapAttributes(
  mapping: Record<string, string>,
  claims: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [target, expr] of Object.entries(mapping)) {
    try {
      const v = evaluateCel(expr, { assertion: claims });
      if (typeof v === 'string' || typeof v === 'boolean') out[target] = String(v);
    } catch (e) {
      if (!(e instanceof CelError) || !e.message.includes('no such key')) throw e;
    }
  }
  return out;
}

/** Evaluate an attribute condition; a missing key makes it false, as a CEL error rejects the credential. */
export function conditionHolds(
  condition: string,
  claims: Record<string, unknown>,
  attrs: Record<string, string>,
): boolean {
  const attribute: Record<string, string> = {};
  const google: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('attribute.')) attribute[k.slice('attribute.'.length)] = v;
    if (k.startsWith('google.')) google[k.slice('google.'.length)] = v;
  }
  try {
    return evaluateCel(condition, { assertion: claims, attribute, google }) === true;
  } catch (e) {
    if (e instanceof CelError && e.message.includes('no such key')) return false;
    throw e;
  }
}

/**
 * An IAM condition binding, evaluated as IAM does at request time: `request.time` is now and
 * `resource` carries the name, type and service of the resource being accessed. An
 * expression that fails to evaluate (unknown attribute, type error) grants nothing.
 */
export function bindingConditionHolds(
  expression: string,
  context: {
    now: number;
    resource: { name: string; type: string; service: string };
    tags?: readonly CelTag[];
    deny?: boolean;
  },
): boolean {
  try {
    const env: CelEnv = {
      request: { time: new CelTime(context.now) },
      resource: context.resource,
      tags: context.tags ?? [],
    };
    if (context.deny) env.onlyFunctions = TAG_FUNCTIONS;
    return evaluateCel(expression, env) === true;
  } catch (e) {
    if (e instanceof CelError) return false;
    throw e;
  }
}

/**
 * Why IAM would refuse to store this condition, or undefined: it does not parse, or (a deny
 * rule's) it uses anything but the tag functions. Unknown attributes are not refused here:
 * IAM knows many the emulator does not model, and they only fail to evaluate.
 */
export function conditionProblem(expression: string, kind: 'allow' | 'deny'): string | undefined {
  const env: CelEnv = {
    request: { time: new CelTime(0) },
    resource: { name: '', type: '', service: '' },
    tags: [],
  };
  if (kind === 'deny') env.onlyFunctions = TAG_FUNCTIONS;
  try {
    evaluateCel(expression, env);
    return undefined;
  } catch (e) {
    if (e instanceof CelError && e.invalid) return e.message;
    if (e instanceof CelError) return undefined;
    throw e;
  }
}
