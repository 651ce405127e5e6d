// The sticky pull-request comment: one comment per PR, found again by a hidden marker and
// updated on every run. It never fails the step: forks and read-only tokens get a warning.

import { toApiError } from '../gcp/errors.ts';
import { isTransient, withRetry } from '../gcp/retry.ts';
import { scaled } from '../gcp/timeout.ts';
import { originOf } from '../gcp/transport.ts';
import type { RunResult, SourceLocation } from '../model.ts';
import { mdCode, mdLink, oneLine, redactTokens } from '../output/escape.ts';
import { log } from '../output/log.ts';
import { renderCaveats } from './caveats.ts';
import { renderExecutionDetails } from './execution.ts';
import { renderJobPlan } from './job-plan.ts';
import { checksTable, grantsList, isGap, needsAttention, remedies } from './markdown.ts';
import { renderSchedule } from './schedule.ts';
import { callout, facts, headline } from './summary.ts';

export const MARKER = '<!-- cloud-run-job-iam -->';

// @actions/github (Octokit, and the undici it imports for proxies: ~560 KiB, ~50 ms of CPU to
// load, `node bench/chunks.ts`) is needed only to comment on a pull request, so it is a chunk
// of its own that other runs never load; a pull-request run starts it early (commentClient).
let octokitModule: Promise<typeof import('@actions/github')> | undefined;
const github = () => {
  octokitModule ??= import('@actions/github');
  return octokitModule;
};

/** Whether this run comments on a pull request: the input, then the event, then a token. */
function commentGate(
  result: Pick<RunResult, 'config'>,
  env: Record<string, string | undefined>,
): 'skip' | 'no-token' | 'comment' {
  if (result.config && !result.config.prComment) return 'skip';
  const eventName = env.GITHUB_EVENT_NAME;
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') return 'skip';
  return result.config?.githubToken ? 'comment' : 'no-token';
}

/** Load the GitHub client now (while requests are in flight) when this run will comment. */
export function commentClient(
  result: Pick<RunResult, 'config'>,
  env: Record<string, string | undefined>,
): Promise<unknown> {
  return commentGate(result, env) === 'comment' ? github() : Promise.resolve();
}
/** GitHub refuses comment bodies over 65536 characters. */
const MAX_BODY = 65_000;
const TIMEOUT_MS = scaled(15_000);
const MAX_PAGES = 20;

export interface CommentContext {
  runUrl?: string;
  blobUrl?: (loc: SourceLocation) => string | undefined;
  /** Check ids that were gaps on this pull request before (the hidden list of the comment this one replaces). */
  previousGaps?: string[];
}

/** Hidden list of every gap seen on the pull request, so later runs can say which ones are closed. */
const GAPS = /<!-- gaps: ([\w -]*) -->/;

/** A check id as it can sit inside an HTML comment (no spaces, no `--`). */
function checkId(check: string): string {
  return check.replace(/[^\w-]/g, '').replace(/-{2,}/g, '-');
}

export function gapsInComment(body: string | undefined): string[] {
  return (GAPS.exec(body ?? '')?.[1] ?? '').split(' ').filter(Boolean);
}

/** Pure: the comment body, with the marker first. */
export function renderComment(result: RunResult, ctx: CommentContext = {}): string {
  const attention = result.findings.filter(needsAttention);
  const gapIds = [...new Set(result.findings.filter(isGap).map((f) => checkId(f.check)))];
  const closedSince = (ctx.previousGaps ?? []).filter((id) => !gapIds.includes(id));
  const seen = [...gapIds, ...closedSince];
  const closed = result.findings.filter(
    (f) => f.status === 'granted' || (f.status === 'satisfied' && closedSince.includes(f.check)),
  );
  const plan = result.plan;
  const render = (evidence: boolean) => {
    const out = [`${MARKER}\n<!-- gaps: ${seen.join(' ')} -->`, `### ${headline(result)}`, callout(result)];
    const caveats = renderCaveats(result.caveats);
    if (caveats) out.push(caveats);
    const line = facts(result);
    if (line) out.push(line);
    const schedule = renderSchedule(result);
    if (schedule) out.push(schedule);
    if (closedSince.length)
      out.push(`Closed on this pull request: ${closedSince.map((id) => mdCode(id)).join(', ')}.`);
    const jobPlan = renderJobPlan(result, '####');
    if (jobPlan) out.push(jobPlan);
    // The table is the overview; grants are listed below it with their scope.
    const shown = [...attention, ...closed.filter((f) => f.status !== 'granted')];
    if (shown.length) out.push(checksTable(shown, plan));
    if (attention.length) out.push(remedies(attention, ctx.blobUrl, evidence, plan));
    const execution = renderExecutionDetails(result.execution);
    if (execution) out.push(execution);
    if (result.granted.length) out.push('#### Granted by `iam: fix`', grantsList(result.granted, plan));
    if (ctx.runUrl)
      out.push(`<sub>${mdLink('Workflow run', ctx.runUrl)} · full checks and graph in its job summary</sub>`);
    return out.join('\n\n');
  };
  const full = render(true);
  if (full.length <= MAX_BODY) return full;
  const lean = render(false);
  return lean.length <= MAX_BODY ? lean : `${lean.slice(0, MAX_BODY)}\n\n… (truncated; see the job summary)`;
}

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
  fork: boolean;
}

interface EventShape {
  pull_request?: {
    number?: number;
    head?: { repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
}

/** Pure: the pull request an event payload is about, and whether it comes from a fork. */
export function pullRequestOf(eventName: string | undefined, event: unknown, repository: string | undefined) {
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') return undefined;
  const pr = (event as EventShape | undefined)?.pull_request;
  const base = pr?.base?.repo?.full_name ?? repository;
  if (!pr || typeof pr.number !== 'number' || !base) return undefined;
  const [owner, repo] = base.split('/');
  if (!owner || !repo) return undefined;
  const head = pr.head?.repo?.full_name;
  const ref: PullRequestRef = {
    owner,
    repo,
    number: pr.number,
    fork: !head || head.toLowerCase() !== base.toLowerCase(),
  };
  return ref;
}

export type CommentOutcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'refused';

function request() {
  return { request: { signal: AbortSignal.timeout(TIMEOUT_MS), fetch: noRedirectFetch } };
}

/**
 * The REST calls carry the workflow's token: a redirect is never followed (fetch would re-send the
 * request elsewhere), it fails the call with the origin it pointed to.
 */
async function noRedirectFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  if (res.status < 300 || res.status > 399) return res;
  await res.body?.cancel().catch(() => undefined);
  throw new Error(
    `GitHub's API answered HTTP ${res.status} with a redirect to ${originOf(res.headers.get('location'), String(url))}; not followed (the request carries the workflow's token)`,
  );
}

/** Create or update the one comment carrying MARKER. Throws on API errors. */
export async function upsertComment(
  pr: PullRequestRef,
  render: (previous: string | undefined) => string,
  token: string,
  apiUrl: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  const { getOctokit } = await github();
  const octokit = getOctokit(token, { baseUrl: apiUrl });
  const where = { owner: pr.owner, repo: pr.repo, issue_number: pr.number };
  // Every comment carrying the marker (two runs on one pull request may both have created one),
  // page by page, each page its own bounded request (the paginator would drop the timeout),
  // oldest first.
  const listOurs = () =>
    withRetry(
      async () => {
        const found: Array<{ id: number; body?: string | null | undefined }> = [];
        for (let page = 1; page <= MAX_PAGES; page++) {
          const res = await octokit.rest.issues.listComments({ ...where, per_page: 100, page, ...request() });
          found.push(...res.data.filter((c) => c.body?.includes(MARKER)));
          if (res.data.length < 100) break;
        }
        return found.sort((a, b) => a.id - b.id);
      },
      { attempts: 3, retryable: isTransient },
    );
  // Another run may delete the same extra at the same moment: gone is what was wanted.
  const remove = (id: number) =>
    octokit.rest.issues
      .deleteComment({ owner: pr.owner, repo: pr.repo, comment_id: id, ...request() })
      .catch((e: unknown) => {
        if (toApiError(e).httpStatus !== 404) throw e;
      });
  const update = (id: number, body: string) =>
    octokit.rest.issues.updateComment({ owner: pr.owner, repo: pr.repo, comment_id: id, body, ...request() });
  // Keep the oldest (its link may be shared), remove the extras: one sticky comment.
  const [existing, ...extras] = await listOurs();
  for (const extra of extras) await remove(extra.id);
  // Through the writer's redaction like every other line: a token never reaches a comment.
  const body = redactTokens(render(existing?.body ?? undefined));
  if (existing) {
    if (existing.body === body) return 'unchanged';
    await update(existing.id, body);
    return 'updated';
  }
  const created = await octokit.rest.issues.createComment({ ...where, body, ...request() });
  // Two runs that both found none both created one: the one whose comment is not the oldest
  // removes its own and writes its report into the oldest, so one comment stays either way.
  const [oldest, ...newer] = await listOurs();
  if (!oldest || oldest.id === created.data.id) {
    for (const extra of newer) await remove(extra.id);
    return 'created';
  }
  await remove(created.data.id);
  await update(oldest.id, body);
  return 'updated';
}

function readEvent(path: string | undefined, read: (p: string) => string): unknown {
  if (!path) return undefined;
  return JSON.parse(read(path));
}

/** The whole comment step, as publish() runs it. Never throws. */
export async function publishComment(
  result: RunResult,
  env: Record<string, string | undefined>,
  read: (path: string) => string,
  ctx: CommentContext = {},
): Promise<CommentOutcome> {
  const gate = commentGate(result, env);
  if (gate === 'no-token') log.info('No github_token: the pull-request comment is skipped.');
  if (gate !== 'comment') return 'skipped';
  const token = result.config?.githubToken ?? '';
  const eventName = env.GITHUB_EVENT_NAME;
  try {
    const pr = pullRequestOf(eventName, readEvent(env.GITHUB_EVENT_PATH, read), env.GITHUB_REPOSITORY);
    if (!pr) {
      log.info('No pull request in the event payload: the comment is skipped.');
      return 'skipped';
    }
    if (pr.fork && eventName === 'pull_request') {
      log.warning(
        `Pull request #${pr.number} comes from a fork, whose token is read-only: the findings are in the job summary only.`,
        { title: 'Pull-request comment skipped' },
      );
      return 'refused';
    }
    const outcome = await upsertComment(
      pr,
      (previous) => renderComment(result, { ...ctx, previousGaps: gapsInComment(previous) }),
      token,
      env.GITHUB_API_URL || 'https://api.github.com',
    );
    log.info(`Pull-request comment ${outcome} on #${pr.number}.`);
    return outcome;
  } catch (e) {
    const err = toApiError(e);
    const readOnly = err.httpStatus === 403 || err.httpStatus === 404;
    log.warning(
      readOnly
        ? `Could not comment on the pull request (HTTP ${err.httpStatus}: ${oneLine(err.message)}). Grant the workflow \`permissions: pull-requests: write\`, or set pr_comment: false.`
        : `Could not comment on the pull request: ${err.status}${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ''}: ${oneLine(err.message)}`,
      { title: 'Pull-request comment not posted' },
    );
    return 'refused';
  }
}
