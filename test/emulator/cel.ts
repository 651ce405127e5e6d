// The small subset of CEL that workload identity providers use in attribute mappings and
// conditions (`assertion.x` / `attribute.x` / `google.subject` paths, string literals,
// true/false, lists, ==, !=, in, !, &&, ||, parentheses, .startsWith/.endsWith/.contains),
// plus what IAM condition bindings use: `request.time`, `resource.name|type|service`,
// `timestamp('RFC 3339')` and <, <=, >, >= between timestamps.
// Anything else is a syntax error, as an unsupported expression should be loud in tests.

/** A CEL timestamp (epoch ms), so comparisons know they compare instants. */
export class CelTime {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
}

export type CelValue = string | boolean | CelTime | CelValue[] | undefined;
export interface CelEnv {
  assertion?: Record<string, unknown>;
  attribute?: Record<string, string>;
  google?: Record<string, string>;
  request?: Record<string, unknown>;
  resource?: Record<string, unknown>;
}

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(==|!=|<=|>=|&&|\|\||[<>!()[\],.])|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`unsupported CEL at position ${at}: ${src.slice(at, at + 20)}`);
    out.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return out;
}

class CelError extends Error {}

export function evaluateCel(src: string, env: CelEnv): CelValue {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const eat = (want?: string): string => {
    const tok = t[i++];
    if (tok === undefined || (want !== undefined && tok !== want)) {
      throw new CelError(
        `CEL: expected ${want ?? 'a token'} but found ${tok ?? 'end of expression'} in: ${src}`,
      );
    }
    return tok;
  };
  const isStr = (v: unknown): v is string => typeof v === 'string';

  function primary(): CelValue {
    const tok = eat();
    if (tok === '(') {
      const v = or();
      eat(')');
      return v;
    }
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
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok === 'timestamp' && peek() === '(') {
      eat('(');
      const arg = or();
      eat(')');
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
    while (peek() === '.') {
      eat('.');
      const name = eat();
      if (peek() === '(') {
        eat('(');
        const arg = or();
        eat(')');
        if (!isStr(value) || !isStr(arg)) throw new CelError(`CEL: ${name}() needs strings in: ${src}`);
        if (name === 'startsWith') value = value.startsWith(arg);
        else if (name === 'endsWith') value = value.endsWith(arg);
        else if (name === 'contains') value = value.includes(arg);
        else throw new CelError(`CEL: unsupported function ${name}() in: ${src}`);
      } else {
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
        if (value === undefined) throw new CelError(`CEL: no such key: ${name}`);
      }
    }
    if (typeof value === 'number') return String(value);
    if (value instanceof CelTime) return value;
    if (typeof value === 'string' || typeof value === 'boolean' || Array.isArray(value))
      return value as CelValue;
    throw new CelError(`CEL: ${tok} does not name a value in: ${src}`);
  }
  function cmp(): CelValue {
    const left = primary();
    const op = peek();
    if (op === '==' || op === '!=' || op === 'in') {
      eat();
      const right = primary();
      if (op === 'in') return Array.isArray(right) && right.includes(left);
      const same =
        left instanceof CelTime && right instanceof CelTime ? left.ms === right.ms : left === right;
      return op === '==' ? same : !same;
    }
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      eat();
      const right = primary();
      if (!(left instanceof CelTime) || !(right instanceof CelTime))
        throw new CelError(`CEL: ${op} compares timestamps only in: ${src}`);
      const d = left.ms - right.ms;
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
  if (i !== t.length) throw new CelError(`CEL: unexpected ${t[i]} in: ${src}`);
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
  context: { now: number; resource: { name: string; type: string; service: string } },
): boolean {
  try {
    return (
      evaluateCel(expression, { request: { time: new CelTime(context.now) }, resource: context.resource }) ===
      true
    );
  } catch (e) {
    if (e instanceof CelError) return false;
    throw e;
  }
}
