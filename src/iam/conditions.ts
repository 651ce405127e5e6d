// Deciding IAM condition expressions where the action knows the values (pure). IAM evaluates a
// binding's CEL condition per request; the preflight knows the request time (now) and, for
// some resources, resource.type / resource.service / resource.name. Everything else is
// unknown, and a condition whose value depends on an unknown stays undecided (three-valued
// logic: `false && unknown` is false, `true || unknown` is true). Syntax outside this
// subset (tags, api.getAttribute, ...) leaves the whole condition undecided.

import { safeSegments } from '../resource-name.ts';

/** What the action knows of the request a condition would see. */
export interface ConditionFacts {
  now: Date;
  resource?: { name?: string; type?: string; service?: string };
}

type Value = string | boolean | { time: number } | undefined;

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(==|!=|<=|>=|&&|\|\||[<>!().,])|([A-Za-z_][A-Za-z0-9_]*))/y;

class Undecidable extends Error {}

function tokens(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(src);
    if (!m) throw new Undecidable();
    out.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return out;
}

const isTime = (v: Value): v is { time: number } => typeof v === 'object' && v !== null;

function compare(op: string, a: Value, b: Value): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (isTime(a) && isTime(b)) {
    const d = a.time - b.time;
    const r: Record<string, boolean> = { '<': d < 0, '<=': d <= 0, '>': d > 0, '>=': d >= 0, '==': d === 0 };
    return op === '!=' ? d !== 0 : r[op];
  }
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  throw new Undecidable();
}

/** true / false when decided from the facts, undefined when it depends on something unknown. */
export function decideCondition(expression: string, facts: ConditionFacts): boolean | undefined {
  let t: string[];
  try {
    t = tokens(expression);
  } catch {
    return undefined;
  }
  let i = 0;
  const peek = () => t[i];
  const eat = (want?: string): string => {
    const tok = t[i++];
    if (tok === undefined || (want !== undefined && tok !== want)) throw new Undecidable();
    return tok;
  };
  const attribute = (root: string, field: string): Value => {
    if (root === 'request' && field === 'time') return { time: facts.now.getTime() };
    if (root === 'resource' && (field === 'name' || field === 'type' || field === 'service'))
      return facts.resource?.[field];
    throw new Undecidable();
  };

  function primary(): Value {
    const tok = eat();
    if (tok === '(') {
      const v = or();
      eat(')');
      return v;
    }
    if (tok.startsWith("'") || tok.startsWith('"')) return tok.slice(1, -1).replace(/\\(.)/g, '$1');
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok === 'timestamp') {
      eat('(');
      const arg = primary();
      eat(')');
      const ms = typeof arg === 'string' ? Date.parse(arg) : Number.NaN;
      if (Number.isNaN(ms)) throw new Undecidable();
      return { time: ms };
    }
    if (tok !== 'request' && tok !== 'resource') throw new Undecidable();
    eat('.');
    let v = attribute(tok, eat());
    while (peek() === '.') {
      eat('.');
      const fn = eat();
      eat('(');
      const arg = primary();
      eat(')');
      if (fn !== 'startsWith' && fn !== 'endsWith') throw new Undecidable();
      if (typeof arg !== 'string') throw new Undecidable();
      v = typeof v !== 'string' ? undefined : fn === 'startsWith' ? v.startsWith(arg) : v.endsWith(arg);
    }
    return v;
  }
  function cmp(): Value {
    const left = primary();
    const op = peek();
    if (op && ['==', '!=', '<', '<=', '>', '>='].includes(op)) {
      eat();
      return compare(op, left, primary());
    }
    return left;
  }
  function not(): Value {
    if (peek() === '!') {
      eat('!');
      const v = not();
      return v === undefined ? undefined : v !== true;
    }
    return cmp();
  }
  function and(): Value {
    let v = not();
    while (peek() === '&&') {
      eat();
      const r = not();
      v = v === false || r === false ? false : v === true && r === true ? true : undefined;
    }
    return v;
  }
  function or(): Value {
    let v = and();
    while (peek() === '||') {
      eat();
      const r = and();
      v = v === true || r === true ? true : v === false && r === false ? false : undefined;
    }
    return v;
  }
  try {
    const v = or();
    if (i !== t.length) return undefined;
    return typeof v === 'boolean' ? v : undefined;
  } catch (e) {
    if (e instanceof Undecidable) return undefined;
    throw e;
  }
}

/** The attributes IAM conditions see for a resource the preflight checks, where documented. */
export function conditionResource(
  kind: string,
  name: string,
  projectNumbers: Readonly<Record<string, string>>,
): ConditionFacts['resource'] {
  if (kind === 'secret') {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(name);
    const number = m?.[1] ? projectNumbers[m[1]] : undefined;
    return {
      type: 'secretmanager.googleapis.com/Secret',
      service: 'secretmanager.googleapis.com',
      ...(number && m?.[2] && safeSegments(number, m[2])
        ? { name: `projects/${number}/secrets/${m[2]}` }
        : {}),
    };
  }
  if (kind === 'project') {
    const id = name.slice('projects/'.length);
    const number = projectNumbers[id];
    return {
      type: 'cloudresourcemanager.googleapis.com/Project',
      service: 'cloudresourcemanager.googleapis.com',
      ...(number && safeSegments(number) ? { name: `projects/${number}` } : {}),
    };
  }
  // Other services do not recognise resource attributes: a test of them is not decided here.
  return undefined;
}
