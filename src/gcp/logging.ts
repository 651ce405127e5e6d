// Cloud Logging v2 entries.list: the last lines a failed execution's task wrote. Called through
// the auth client (one method; the logging package would add far more to the bundle).
import type { ApiContext } from './clients.ts';
import { read } from './clients.ts';
import { rest } from './rest.ts';

export interface LogEntry {
  timestamp?: string;
  severity?: string;
  textPayload?: string;
  jsonPayload?: Record<string, unknown>;
  labels?: Record<string, string>;
}

/** Newest first, at most `pageSize` entries of `project` matching `filter`. */
export async function listLogEntries(
  ctx: ApiContext,
  project: string,
  filter: string,
  pageSize: number,
): Promise<LogEntry[]> {
  const res = await read(ctx, `read the logs of project ${project}`, () =>
    rest<{ entries?: LogEntry[] }>(ctx, 'logging', 'v2/entries:list', {
      method: 'POST',
      body: { resourceNames: [`projects/${project}`], filter, orderBy: 'timestamp desc', pageSize },
    }),
  );
  return res.entries ?? [];
}
