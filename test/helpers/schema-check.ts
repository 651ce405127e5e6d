// Success bodies an emulator recorded (started with recordResponses), validated against
// gcloud's generated message classes (validate-messages.py): the same check as
// test/emulator-schema.test.ts, for the routes one test file drives.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { RequestLogEntry } from '../emulator/server.ts';
import { messageTypeOf, outsideGcloudSchemas } from './message-types.ts';
import { ROOT } from './run-action.ts';

const info = spawnSync('gcloud', ['info', '--format=value(installation.sdk_root,basic.python_location)'], {
  encoding: 'utf8',
});
const [sdkRoot, python] = info.status === 0 ? info.stdout.trim().split(/\s+/) : [];

/** gcloud's SDK and Python, when installed. */
export const hasSchemas = Boolean(sdkRoot && python);

/** A body to check: its API, version and message class, and where it came from (for the report). */
export interface MessageItem {
  api: string;
  version: string;
  type: string;
  body: unknown;
  from: string;
}

/** Runs validate-messages.py on `items`: each item with problems, by where it came from. */
export function validateMessages(items: MessageItem[]): Array<{ from: string; problems: string[] }> {
  const run = spawnSync(
    python as string,
    [join(ROOT, 'test/helpers/validate-messages.py'), sdkRoot as string],
    {
      input: JSON.stringify(items.map(({ from: _f, ...i }) => i)),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`validator failed: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as Array<{ index: number; problems: string[] }>;
  return report.map((r) => ({ from: items[r.index]?.from ?? '?', problems: r.problems }));
}

/**
 * Problems of every recorded 2xx body whose path matches `paths`: an unmapped route, an unknown
 * field, an undecodable value. Also returns how many bodies were checked.
 */
export function schemaProblems(
  log: RequestLogEntry[],
  paths: RegExp,
): { checked: number; problems: string[] } {
  const items: MessageItem[] = [];
  const problems: string[] = [];
  for (const r of log) {
    if (r.status < 200 || r.status > 299 || r.response === undefined || !paths.test(r.path)) continue;
    if (outsideGcloudSchemas(r.path)) continue;
    const t = messageTypeOf(r.method, r.path);
    if (!t) problems.push(`no message class mapped for ${r.method} ${r.path}`);
    else items.push({ ...t, body: r.response, from: `${r.method} ${r.path}` });
  }
  if (items.length === 0) return { checked: 0, problems };
  for (const r of validateMessages(items)) problems.push(`${r.from}: ${r.problems.join('; ')}`);
  return { checked: items.length, problems };
}
