// job_patch: a fragment of a Cloud Run v2 Job, checked against the v2 schema (every field path
// must exist in Google's Job message and not be output-only) and merged into the built job as
// a JSON Merge Patch (RFC 7386): objects merge key by key, a list or a value replaces what was
// there, `null` removes the field. The schema is generated from gcloud's run v2 messages by
// scripts/gen-run-v2-fields.mjs (provenance inside the JSON).
import schema from './v2-job-fields.json' with { type: 'json' };

type Json = Record<string, unknown>;
interface Message {
  fields: Record<string, string>;
  outputOnly?: string[];
}
const MESSAGES = schema.messages as Record<string, Message>;
/** Set from inputs or the job's identity: a patch may not change them. */
const RESERVED = new Set(['name']);

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Validate a patch against the v2 Job schema. Returns the patch with YAML scalars normalised
 * to the JSON type the field takes (a number where a string is expected becomes a string),
 * and one problem per bad path.
 */
export function checkJobPatch(patch: unknown): { patch: Json; problems: string[] } {
  const problems: string[] = [];
  if (!isObject(patch)) {
    return { patch: {}, problems: ['must be a mapping of v2 Job fields, like {template: {taskCount: 2}}'] };
  }
  const out = checkMessage(schema.root, patch, '', problems) as Json;
  return { patch: out, problems };
}

function checkMessage(type: string, value: Json, path: string, problems: string[]): Json {
  const message = MESSAGES[type];
  const out: Json = {};
  if (!message) return out;
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    // Own fields only: `__proto__`, `constructor` and the like are names of no Job field.
    const fieldType = Object.hasOwn(message.fields, key) ? message.fields[key] : undefined;
    if (!fieldType) {
      problems.push(
        `${at} is not a field of ${type} (its fields: ${Object.keys(message.fields)
          .filter((f) => !message.outputOnly?.includes(f))
          .join(', ')})`,
      );
      continue;
    }
    if (message.outputOnly?.includes(key)) {
      problems.push(`${at} is output only: Cloud Run sets it`);
      continue;
    }
    if (!path && RESERVED.has(key)) {
      problems.push(`${at} comes from the job input and cannot be patched`);
      continue;
    }
    if (v === null) out[key] = null;
    else {
      const checked = checkValue(fieldType, v, at, problems);
      if (checked !== undefined) out[key] = checked;
    }
  }
  return out;
}

function checkValue(type: string, value: unknown, path: string, problems: string[]): unknown {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) return void problems.push(`${path} must be a list`);
    return value.map((item, i) => checkValue(type.slice(0, -2), item, `${path}[${i}]`, problems));
  }
  const wrong = (expected: string) =>
    void problems.push(`${path} must be ${expected}, got ${JSON.stringify(value)}`);
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  switch (type) {
    case 'string':
      return scalar ? String(value) : wrong('a string');
    case 'bool':
      return typeof value === 'boolean' ? value : wrong('true or false');
    case 'int':
      return Number.isSafeInteger(value) ? value : wrong('a whole number');
    case 'int64':
      return Number.isSafeInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
        ? String(value)
        : wrong('a whole number');
    case 'number':
      return typeof value === 'number' ? value : wrong('a number');
    case 'map': {
      if (!isObject(value)) return wrong('a mapping of strings');
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === null || typeof v === 'object') problems.push(`${path}.${k} must be a string`);
        else if (k === '__proto__') problems.push(`${path}.__proto__ is not a usable key`);
        else out[k] = String(v);
      }
      return out;
    }
  }
  if (type.startsWith('enum:')) {
    const values = type.slice(5).split('|');
    return typeof value === 'string' && values.includes(value) ? value : wrong(`one of ${values.join(', ')}`);
  }
  if (!isObject(value)) return wrong(`a mapping (${type})`);
  return checkMessage(type, value, path, problems);
}

/** RFC 7386 JSON Merge Patch of `patch` onto `target` (neither is modified). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
