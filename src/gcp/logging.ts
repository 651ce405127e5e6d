// Cloud Logging v2 entries.list: the last lines a failed execution's task wrote. Called through
// the auth client (one method; the logging package would add far more to the bundle).
import { type Decoder, list, only, optional, record } from './answer.ts';
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

// ListLogEntriesResponse.entries (gcloud's logging_v2_messages.py): absent when nothing matched.
const entries: Decoder<LogEntry[]> = (v, at) => {
  const o = only(record(v, at), ['entries', 'nextPageToken'], at);
  return (
    optional(
      o,
      'entries',
      list((e, where) => record(e, where) as LogEntry),
      at,
    ) ?? []
  );
};

/** Newest first, at most `pageSize` entries of `project` matching `filter`. */
export async function listLogEntries(
  ctx: ApiContext,
  project: string,
  filter: string,
  pageSize: number,
): Promise<LogEntry[]> {
  return read(ctx, `read the logs of project ${project}`, () =>
    rest(
      ctx,
      'logging',
      'v2/entries:list',
      { what: 'a ListLogEntriesResponse', decode: entries },
      {
        method: 'POST',
        body: { resourceNames: [`projects/${project}`], filter, orderBy: 'timestamp desc', pageSize },
      },
    ),
  );
}
