// Every successful answer is decoded here, at the boundary, before anything acts on it: a body
// that is not what the API promises (empty, another type, HTML from a proxy or captive portal,
// truncated, with trailing junk) becomes one clear error naming the API and what was wrong, never
// quoting the body (an auth answer carries tokens). Small hand-written decoders rather than a
// schema library: the action relies on a few fields per answer, and these add no bundle weight.
// Field names and types are those of gcloud's generated message classes
// (lib/googlecloudsdk/generated_clients/apis/<api>/<version>/*_messages.py).

/** ApiError.reason of a decoded-and-refused answer and of a refused redirect. */
export const BAD_ANSWER = 'BAD_ANSWER';
export const REDIRECT_REFUSED = 'REDIRECT_REFUSED';

/**
 * An answer the action would not act on. Read by toApiError (errors.ts) as an HTTP answer of
 * `httpStatus` with this message; the diagnosis names it by its reason.
 */
export class BadAnswer extends Error {
  readonly service: string;
  readonly reason: string;
  /**
   * Shaped like a failed HTTP call's response (no data: the body is never carried). `config` is
   * there because google-auth-library's clients read `response.config` of a failed request.
   */
  readonly response: { status: number; headers?: unknown; config: Record<string, unknown> };
  constructor(service: string, message: string, httpStatus = 200, reason = BAD_ANSWER, headers?: unknown) {
    super(message);
    this.name = 'BadAnswer';
    this.service = service;
    this.reason = reason;
    this.response = { status: httpStatus, config: {}, ...(headers === undefined ? {} : { headers }) };
  }
}

/** Thrown by decoders with the path of the field that did not fit. */
/** An answer of another shape than promised; decodeAnswer turns it into a BadAnswer naming the API. */
export class Mismatch extends Error {}

export type Decoder<T> = (value: unknown, at: string) => T;

/** What the value is, in words, without quoting it. */
export function shapeOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'empty';
  if (typeof value === 'string') {
    const text = value.trimStart();
    if (/^<(!doctype|html|head|body|\?xml)/i.test(text) || /^</.test(text)) return 'HTML or XML, not JSON';
    if (/^[[{]/.test(text))
      return `JSON that does not parse (truncated or with trailing text, ${value.length} characters)`;
    return `text, not JSON (${value.length} characters)`;
  }
  if (Array.isArray(value)) return 'a JSON array';
  return `a JSON ${typeof value}`;
}

export function fail(at: string, expected: string, value: unknown): never {
  throw new Mismatch(`${at} is ${shapeOf(value)}, expected ${expected}`);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function record(value: unknown, at: string): Record<string, unknown> {
  if (!isRecord(value)) fail(at, 'an object', value);
  return value;
}

export function string(value: unknown, at: string): string {
  if (typeof value !== 'string') fail(at, 'a string', value);
  return value;
}

/** A whole number (JSON has one number type; proto3 int32 fields arrive as numbers). */
export function integer(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(at, 'an integer', value);
  return value;
}

/** A string that must not be empty (names, etags, tokens). */
export function text(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') fail(at, 'a non-empty string', value);
  return value;
}

/** A string matching `re` (described as `expected` when it does not). */
export function matching(re: RegExp, expected: string): Decoder<string> {
  return (value, at) => {
    if (typeof value !== 'string') fail(at, expected, value);
    if (!re.test(value)) throw new Mismatch(`${at} is not ${expected}`);
    return value;
  };
}

export function strings(value: unknown, at: string): string[] {
  if (!Array.isArray(value)) fail(at, 'a list of strings', value);
  value.forEach((v, i) => {
    string(v, `${at}[${i}]`);
  });
  return value as string[];
}

export function list<T>(item: Decoder<T>): Decoder<T[]> {
  return (value, at) => {
    if (!Array.isArray(value)) fail(at, 'a list', value);
    return value.map((v, i) => item(v, `${at}[${i}]`));
  };
}

/** `key` of `o`, decoded when present (JSON APIs leave out empty fields). */
export function optional<T>(
  o: Record<string, unknown>,
  key: string,
  decode: Decoder<T>,
  at: string,
): T | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : decode(v, `${at}.${key}`);
}

export function required<T>(o: Record<string, unknown>, key: string, decode: Decoder<T>, at: string): T {
  const v = o[key];
  if (v === undefined || v === null) throw new Mismatch(`${at}.${key} is missing`);
  return decode(v, `${at}.${key}`);
}

/**
 * Decode `body` (the answer of `service`) as `what`, or throw BadAnswer: "iam.googleapis.com
 * answered HTTP 200 with a body that is not a Policy: policy.etag is missing".
 */
export function decodeAnswer<T>(service: string, what: string, decode: Decoder<T>, body: unknown): T {
  try {
    return decode(body, what.replace(/^an? /, '').replace(/\s.*$/, '').toLowerCase());
  } catch (e) {
    if (!(e instanceof Mismatch)) throw e;
    throw new BadAnswer(
      service,
      `${service} answered HTTP 200 with a body that is not ${what}: ${e.message}`,
    );
  }
}

/**
 * The permissions a testIamPermissions answer holds (absent: none, as Google omits empty lists).
 * TestIamPermissionsResponse has that one field (iam_v1_messages.py; Cloud Storage's adds `kind`,
 * storage_v1_messages.py): an answer with any other field is not one.
 */
export const permissionsAnswer: Decoder<string[]> = (v, at) =>
  optional(only(record(v, at), ['permissions', 'kind'], at), 'permissions', strings, at) ?? [];

/**
 * For answers whose fields may all be absent (lists Google leaves out when empty): a field the
 * message does not have means the body is something else (an error, another resource).
 */
export function only(
  o: Record<string, unknown>,
  fields: readonly string[],
  at: string,
): Record<string, unknown> {
  const other = Object.keys(o).find((k) => !fields.includes(k));
  if (other) throw new Mismatch(`${at} has a field ${JSON.stringify(other.slice(0, 40))} it never has`);
  return o;
}

/** An answer the action only needs to be an object (the caller reads named, optional fields). */
export const objectAnswer: Decoder<Record<string, unknown>> = record;
