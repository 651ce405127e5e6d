// The Logging query language as entries.list reads it
// (https://cloud.google.com/logging/docs/view/logging-query-language): comparisons
// FIELD OP VALUE with OP one of = != > < >= <= : =~ !~, a value group FIELD = ("a" OR "b"),
// NOT (or a leading -), AND, OR, parentheses and juxtaposition (an implicit AND). As the page
// says, NOT binds tightest and OR binds tighter than AND ("a" OR NOT "b" AND NOT "c" OR "d" is
// ("a" OR (NOT "b")) AND ((NOT "c") OR "d")), and string comparisons ignore case. A bare value
// is a global restriction: any field containing it. Severity compares by level.
import { badRequest, isRecord } from './http.ts';

const SEVERITY = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];
type Op = '=' | '!=' | '>' | '<' | '>=' | '<=' | ':' | '=~' | '!~';

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; inner: Node }
  | { kind: 'cmp'; path: string[]; op: Op; values: string[] }
  | { kind: 'global'; value: string };

interface Token {
  type: 'str' | 'word' | 'op' | '(' | ')';
  text: string;
}

const OPS = /^(>=|<=|!=|=~|!~|=|<|>|:)/;

function tokenize(filter: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const quoted = (): string => {
    let s = '';
    i++;
    while (i < filter.length && filter[i] !== '"') {
      if (filter[i] === '\\' && i + 1 < filter.length) i++;
      s += filter[i];
      i++;
    }
    if (filter[i] !== '"') throw badRequest(`Unparseable filter: unterminated string in ${filter}`);
    i++;
    return s;
  };
  while (i < filter.length) {
    const c = filter[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ type: c, text: c });
      i++;
    } else if (c === '"') {
      out.push({ type: 'str', text: quoted() });
    } else if (OPS.test(filter.slice(i))) {
      const op = (OPS.exec(filter.slice(i)) as RegExpExecArray)[1] as string;
      out.push({ type: 'op', text: op });
      i += op.length;
    } else {
      // A word, or a field path whose segments may be quoted: labels."run.googleapis.com/x".
      let word = '';
      while (i < filter.length) {
        const ch = filter[i] as string;
        if (ch === '"' && word.endsWith('.')) word += `"${quoted()}"`;
        else if (/[\s()"]/.test(ch) || OPS.test(filter.slice(i))) break;
        else {
          word += ch;
          i++;
        }
      }
      out.push({ type: 'word', text: word });
    }
  }
  return out;
}

function parsePath(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|([^.]+)/g)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

export function parseFilter(filter: string): Node | undefined {
  const t = tokenize(filter);
  let i = 0;
  const peek = () => t[i];
  const fail = (why: string): never => {
    throw badRequest(`Unparseable filter: ${why} in ${filter}`);
  };
  const isWord = (w: string) => peek()?.type === 'word' && peek()?.text === w;
  const startsTerm = () => {
    const p = peek();
    return p !== undefined && p.type !== ')' && !isWord('AND') && !isWord('OR');
  };

  function value(): string {
    const v = t[i++];
    if (!v || (v.type !== 'str' && v.type !== 'word')) return fail('expected a value');
    return v.text;
  }
  function primary(): Node {
    const p = peek();
    if (!p) return fail('unexpected end');
    if (p.type === '(') {
      i++;
      const inner = andExpr();
      if (peek()?.type !== ')') fail('missing )');
      i++;
      return inner;
    }
    if (p.type === 'word' && t[i + 1]?.type === 'op') {
      i++;
      const op = (t[i++] as Token).text as Op;
      const path = parsePath(p.text);
      if (peek()?.type === '(') {
        i++;
        const values = [value()];
        while (isWord('OR')) {
          i++;
          values.push(value());
        }
        if (peek()?.type !== ')') fail('missing ) after a value group');
        i++;
        return { kind: 'cmp', path, op, values };
      }
      return { kind: 'cmp', path, op, values: [value()] };
    }
    return { kind: 'global', value: value() };
  }
  function unary(): Node {
    if (isWord('NOT')) {
      i++;
      return { kind: 'not', inner: unary() };
    }
    const p = peek();
    if (p?.type === 'word' && p.text.startsWith('-') && p.text.length > 1) {
      // -field=value: the leading minus negates.
      p.text = p.text.slice(1);
      return { kind: 'not', inner: unary() };
    }
    return primary();
  }
  function orExpr(): Node {
    let left = unary();
    while (isWord('OR')) {
      i++;
      left = { kind: 'or', left, right: unary() };
    }
    return left;
  }
  function andExpr(): Node {
    let left = orExpr();
    for (;;) {
      if (isWord('AND')) i++;
      else if (!startsTerm()) break;
      left = { kind: 'and', left, right: orExpr() };
    }
    return left;
  }
  if (t.length === 0) return undefined;
  const node = andExpr();
  if (i !== t.length) fail(`unexpected ${t[i]?.text}`);
  return node;
}

function valueAt(entry: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = entry;
  for (const key of path) cur = isRecord(cur) ? cur[key] : undefined;
  return cur;
}

function compare(text: string | undefined, op: Op, want: string, severity: boolean): boolean {
  if (op === '=~' || op === '!~') {
    let re: RegExp;
    try {
      re = new RegExp(want);
    } catch {
      throw badRequest(`Unparseable filter: invalid regular expression ${want}`);
    }
    const hit = text !== undefined && re.test(text);
    return op === '=~' ? hit : !hit;
  }
  if (text === undefined) return op === '!=';
  const a = text.toLowerCase();
  const b = want.toLowerCase();
  if (op === '=') return a === b;
  if (op === '!=') return a !== b;
  if (op === ':') return a.includes(b);
  let d: number;
  if (severity) d = SEVERITY.indexOf(text.toUpperCase()) - SEVERITY.indexOf(want.toUpperCase());
  else if (!Number.isNaN(Number(text)) && !Number.isNaN(Number(want))) d = Number(text) - Number(want);
  else d = a < b ? -1 : a > b ? 1 : 0;
  return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
}

export function matches(entry: Record<string, unknown>, node: Node | undefined): boolean {
  if (!node) return true;
  switch (node.kind) {
    case 'and':
      return matches(entry, node.left) && matches(entry, node.right);
    case 'or':
      return matches(entry, node.left) || matches(entry, node.right);
    case 'not':
      return !matches(entry, node.inner);
    case 'global':
      return JSON.stringify(entry).toLowerCase().includes(node.value.toLowerCase());
    default: {
      const v = valueAt(entry, node.path);
      const text = v === undefined || isRecord(v) ? undefined : String(v);
      const severity = node.path.length === 1 && node.path[0] === 'severity';
      return node.values.some((want) => compare(text, node.op, want, severity));
    }
  }
}
