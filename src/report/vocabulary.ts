// The report's one vocabulary, defined once: the IAM outcome of a run (the `iam_status` output,
// the headline, the log) and the word each finding is shown with. README's "Reading the
// report" section says the same in prose; test/report-gfm.test.ts holds every document to it.
import type { Finding, FindingStatus, IamStatus } from '../model.ts';

/** What each IAM outcome means: the run's `iam_status` output is one of these words. */
export const IAM_WORDS: Record<IamStatus, string> = {
  ok: 'every binding the job needs was proven to hold; nothing was changed',
  fixed: '`iam: fix` granted what was missing, at the narrowest scope, and read it back',
  missing: 'at least one binding the job needs was proven absent',
  unverified: 'nothing was proven absent, but at least one binding could not be proven to hold',
};

/** The word a finding is shown with: the four IAM words, plus the two that are not about IAM. */
export type FindingWord = IamStatus | 'failed' | 'warning';

export const FINDING_WORD: Record<FindingStatus, FindingWord> = {
  satisfied: 'ok',
  granted: 'fixed',
  missing: 'missing',
  unverified: 'unverified',
  failed: 'failed',
  warning: 'warning',
};

/** Marks with their own colour, visible on white and on GitHub's dark background alike. */
export const MARK: Record<FindingWord, string> = {
  ok: '✅',
  fixed: '🔧',
  missing: '❌',
  unverified: '❓',
  failed: '❌',
  warning: '⚠️',
};

/** `✅ ok`, `❌ missing`, ... as a table cell or a heading shows a finding. */
export function statusLabel(f: Pick<Finding, 'status'>): string {
  const word = FINDING_WORD[f.status];
  return `${MARK[word]} ${word}`;
}

/** Every word the documents may use for a status, for tests and README. */
export const WORDS: readonly FindingWord[] = ['ok', 'fixed', 'missing', 'unverified', 'failed', 'warning'];
