// The one neutralising writer: nothing in src/ prints except through src/output/log.ts, and
// nothing it prints can start a workflow command, whatever the text holds.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fail, log } from '../src/output/log.ts';
import { commandLines, HOSTILE_TEXTS, injectedCommands } from './helpers/workflow-commands.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('the one writer', () => {
  it('is the only module that calls the runner-printing functions of @actions/core', () => {
    const printing =
      /\bcore\.(?:(?:info|debug|warning|error|notice|setFailed|startGroup|group)\(|summary\b)|console\.(?:log|error|warn|info)\(|process\.std(?:out|err)\.write\(/;
    const offenders = sources('src').filter(
      (f) =>
        f !== join('src', 'output', 'log.ts') &&
        printing.test(readFileSync(f, 'utf8').replace(/^\s*\/\/.*$/gm, '')),
    );
    expect(offenders).toEqual([]);
  });

  it('prints no line that starts a workflow command, whatever the text', () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    for (const text of HOSTILE_TEXTS) {
      log.info(`value: ${text}`);
      log.info(text);
      log.debug(text);
      log.warning(text, { title: text, file: text });
      log.error(text);
      log.notice(text, { title: text });
      fail(text);
    }
    // Only the writer's own commands (the level it was asked for), never one from the text.
    expect(injectedCommands(out)).toEqual([]);
    expect(commandLines(out).length).toBeGreaterThan(0);
    expect(out).not.toMatch(/^\s*::(?:add-mask|set-output|set-env|stop-commands|add-path|save-state)/m);
    expect(out).not.toMatch(/^\s*##\[/m);
    expect(out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
