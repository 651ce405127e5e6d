// The scenario file's readers every scenario module shares: a missing list or mapping is empty,
// anything else of the wrong kind fails with where it stands in the file.
export type Obj = Record<string, unknown>;

export function fail(where: string, what: string): never {
  throw new Error(`scenario: ${where}: ${what} (see test/emulator/SCENARIO.md)`);
}

export const obj = (v: unknown, where: string): Obj =>
  v === undefined || v === null
    ? {}
    : typeof v === 'object' && !Array.isArray(v)
      ? (v as Obj)
      : fail(where, 'expected a mapping');

export const list = (v: unknown, where: string): unknown[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : fail(where, 'expected a list');
