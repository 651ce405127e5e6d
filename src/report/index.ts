// publish(): the report stage. Outputs first (they must exist whatever else fails), then the
// annotations on the lines that caused each finding, the job summary and the sticky PR
// comment. Each part is independent: one failing is a warning, never a lost report.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Finding, RunResult, SourceLocation } from '../model.ts';
import { oneLine, safeUrl } from '../output/escape.ts';
import { log, writeSummary } from '../output/log.ts';
import { annotate } from './annotations.ts';
import { type CommentContext, publishComment } from './comment.ts';
import { type LocateSources, locate, type StepHints, workflowPathFromRef } from './locate.ts';
import { setOutputs } from './outputs.ts';
import { renderSummary } from './summary.ts';

export { commentClient } from './comment.ts';

type Env = Record<string, string | undefined>;

/** A workspace file, or undefined when it is missing or outside the workspace. */
function readWorkspaceFile(workspace: string, file: string): string | undefined {
  const full = join(workspace, file);
  const rel = relative(workspace, full);
  if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(full)) return undefined;
  return readFileSync(full, 'utf8');
}

/** Where to look for the lines that set each value: the job.yaml and this step in the workflow file. */
export function sourcesFrom(result: RunResult, env: Env): LocateSources {
  const sources: LocateSources = {};
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace) return sources;
  const metadata = result.config?.metadata;
  if (metadata) {
    const file = relative(workspace, join(workspace, metadata)).split(sep).join('/');
    const text = readWorkspaceFile(workspace, file);
    if (text !== undefined) {
      sources.metadata = { file, text };
      if (result.plan?.image.url) sources.metadata.image = result.plan.image.url;
    }
  }
  const workflow = workflowPathFromRef(env.GITHUB_WORKFLOW_REF, env.GITHUB_REPOSITORY);
  const text = workflow ? readWorkspaceFile(workspace, workflow) : undefined;
  if (workflow && text !== undefined) {
    const step: StepHints = {};
    if (env.GITHUB_ACTION) step.action = env.GITHUB_ACTION;
    if (env.GITHUB_JOB) step.job = env.GITHUB_JOB;
    if (env.GITHUB_ACTION_REPOSITORY) step.actionRepository = env.GITHUB_ACTION_REPOSITORY;
    const actionPath = env.GITHUB_ACTION_PATH ? relative(workspace, env.GITHUB_ACTION_PATH) : undefined;
    if (actionPath !== undefined && !actionPath.startsWith('..') && !isAbsolute(actionPath))
      step.actionPath = actionPath || '.';
    sources.workflow = { file: workflow, text, step };
  }
  return sources;
}

/** Findings with a location wherever one can be proven; a location already set is kept. */
export function placeFindings(findings: Finding[], sources: LocateSources): Finding[] {
  return findings.map((f) => {
    if (f.location) return f;
    const location = locate(f.subject, sources);
    return location ? { ...f, location } : f;
  });
}

function links(env: Env): CommentContext {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const repo = env.GITHUB_REPOSITORY;
  const ctx: CommentContext = {};
  if (!repo) return ctx;
  const runUrl = env.GITHUB_RUN_ID
    ? safeUrl(`${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`)
    : undefined;
  if (runUrl) ctx.runUrl = runUrl;
  const sha = env.GITHUB_SHA;
  if (sha) {
    ctx.blobUrl = (loc: SourceLocation) =>
      safeUrl(
        `${server}/${repo}/blob/${sha}/${loc.file.split('/').map(encodeURIComponent).join('/')}#L${loc.line}`,
      );
  }
  return ctx;
}

export async function publish(result: RunResult, env: Env): Promise<void> {
  let placed = result;
  try {
    placed = { ...result, findings: placeFindings(result.findings, sourcesFrom(result, env)) };
    if (result.failure) {
      const failure = result.failure;
      placed.failure = placed.findings[result.findings.indexOf(failure)] ?? failure;
    }
  } catch (e) {
    log.warning(`Could not locate findings in the workflow or job.yaml: ${oneLine(String(e))}`);
  }
  setOutputs(placed);
  annotate(placed.findings);
  const ctx = links(env);
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      await writeSummary(renderSummary(placed, ctx));
    } catch (e) {
      log.warning(`Could not write the job summary: ${oneLine(String(e))}`);
    }
  }
  await publishComment(placed, env, (p) => readFileSync(p, 'utf8'), ctx);
}
