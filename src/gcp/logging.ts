// Cloud Logging v2 entries.list: the last lines a failed execution's task wrote. Called through
// the auth client (one method; the logging package would add far more to the bundle).
import { type Decoder, list, only, optional, record, text } from './answer.ts';
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

/** One page of entries.list. */
interface LogPage {
  entries: LogEntry[];
  nextPageToken?: string;
}

/**
 * At most this many requests per search. A search that runs out of time on Google's side answers
 * an empty page with a nextPageToken to continue it (ListLogEntriesResponse in gcloud's
 * logging_v2_messages.py); a few pages are enough for a task's last lines, and each request keeps
 * the per-call timeout, so a slow search costs the step a bounded time and shows what it found.
 */
export const MAX_LOG_PAGES = 5;

// ListLogEntriesResponse (gcloud's logging_v2_messages.py): `entries` absent when nothing matched
// so far, `nextPageToken` present when there may be more.
const page: Decoder<LogPage> = (v, at) => {
  const o = only(record(v, at), ['entries', 'nextPageToken'], at);
  const entries =
    optional(
      o,
      'entries',
      list((e, where) => record(e, where) as LogEntry),
      at,
    ) ?? [];
  const next = optional(o, 'nextPageToken', text, at);
  return next === undefined ? { entries } : { entries, nextPageToken: next };
};

/**
 * Newest first, at most `pageSize` entries of `project` matching `filter`. Follows nextPageToken
 * (an empty page with a token is a search cut short, not the end) until it has `pageSize`
 * entries, the search ends, or MAX_LOG_PAGES requests were made.
 */
export async function listLogEntries(
  ctx: ApiContext,
  project: string,
  filter: string,
  pageSize: number,
): Promise<LogEntry[]> {
  const found: LogEntry[] = [];
  let token: string | undefined;
  for (let n = 0; n < MAX_LOG_PAGES && found.length < pageSize; n++) {
    const at: LogPage = await read(ctx, `read the logs of project ${project}`, () =>
      rest(
        ctx,
        'logging',
        'v2/entries:list',
        { what: 'a ListLogEntriesResponse', decode: page },
        {
          method: 'POST',
          body: {
            resourceNames: [`projects/${project}`],
            filter,
            orderBy: 'timestamp desc',
            // The same request each time, only the token added: the token belongs to this search.
            pageSize,
            ...(token === undefined ? {} : { pageToken: token }),
          },
        },
      ),
    );
    found.push(...at.entries.slice(0, pageSize - found.length));
    token = at.nextPageToken;
    if (token === undefined) break;
  }
  return found;
}
