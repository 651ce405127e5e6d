// The sticky PR comment over real HTTP: @actions/github against the emulator's GitHub REST
// endpoints (/_github/api). Created once, updated on the next run, never duplicated; forks and
// read-only tokens end in a warning, not a failure.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config, Finding, RunResult } from '../src/model.ts';
import { MARKER, publishComment } from '../src/report/comment.ts';
import { useEmulator } from './helpers/emulator.ts';

let dir: string;

const emu = useEmulator({
  scenario: {
    github: {
      repository: 'acme/app',
      pullRequests: [{ number: 7 }, { number: 8, fork: true }, { number: 9 }],
      tokens: { ghs_write: 'write', ghs_read: 'read' },
      comments: { 7: [{ id: 11, body: 'Looks good to me', user: 'octocat' }] },
    },
  },
});
dir = mkdtempSync(join(tmpdir(), 'gh-event-'));

const gap: Finding = {
  check: 'agent-image',
  status: 'missing',
  title: 'Cloud Run service agent cannot pull the image',
  principal: 'serviceAccount:service-1@serverless-robot-prod.iam.gserviceaccount.com',
  role: 'roles/artifactregistry.reader',
  resource: 'projects/img/locations/us/repositories/apps',
  evidence: 'no binding grants downloadArtifacts',
  command: 'gcloud artifacts repositories add-iam-policy-binding apps --project=img --location=us',
};

function result(findings: Finding[], token = 'ghs_write', prComment = true): RunResult {
  return { config: { prComment, githubToken: token } as Config, findings, granted: [] };
}

function env(pr: number, fork = false, eventName = 'pull_request') {
  const path = join(dir, `event-${pr}-${fork}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      pull_request: {
        number: pr,
        head: { repo: { full_name: fork ? 'contributor/app' : 'acme/app' } },
        base: { repo: { full_name: 'acme/app' } },
      },
    }),
  );
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_API_URL: `${emu().url}/_github/api`,
  };
}

const read = (p: string) => readFileSync(p, 'utf8');
const ours = (pr: number) => (emu().world.github.comments[pr] ?? []).filter((c) => c.body.includes(MARKER));
const githubCalls = () => emu().requestLog.filter((r) => r.path.startsWith('/_github/api/repos/')).length;

/** Capture workflow commands written by @actions/core. */
function captureStdout(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  return out;
}
afterEach(() => vi.restoreAllMocks());

describe('sticky pull-request comment', () => {
  it('is created once, then updated in place, and left alone when nothing changed', async () => {
    captureStdout();
    expect(await publishComment(result([gap]), env(7), read)).toBe('created');
    expect(ours(7)).toHaveLength(1);
    expect(ours(7)[0]?.body).toContain('agent-image');
    const id = ours(7)[0]?.id;

    const closed = [{ ...gap, status: 'granted' as const }];
    expect(await publishComment(result(closed), env(7), read)).toBe('updated');
    expect(ours(7)).toHaveLength(1);
    expect(ours(7)[0]?.id).toBe(id);
    expect(ours(7)[0]?.body).toContain('**All IAM requirements hold**');
    // the human comment is untouched
    expect(emu().world.github.comments[7]?.find((c) => c.id === 11)?.body).toBe('Looks good to me');

    expect(await publishComment(result(closed), env(7), read)).toBe('unchanged');
    expect(ours(7)).toHaveLength(1);
  });

  it('finds its comment beyond the first page of 100', async () => {
    captureStdout();
    const filler = Array.from({ length: 130 }, (_, i) => ({
      id: 5000 + i,
      body: `chatter ${i}`,
      user: 'octocat',
    }));
    emu().world.github.comments[9] = [
      ...filler,
      { id: 9999, body: `${MARKER}\nold`, user: 'github-actions[bot]' },
    ];
    expect(await publishComment(result([gap]), env(9), read)).toBe('updated');
    expect(ours(9)).toHaveLength(1);
    expect(ours(9)[0]?.id).toBe(9999);
  });

  it('a read-only token ends in a warning, not a failure, and posts nothing', async () => {
    const out = captureStdout();
    const before = (emu().world.github.comments[9] ?? []).length;
    // different findings, so a write is needed (reading works with a read-only token)
    const changed = [{ ...gap, title: 'Still missing' }];
    expect(await publishComment(result(changed, 'ghs_read'), env(9), read)).toBe('refused');
    expect(ours(9)[0]?.body).not.toContain('Still missing');
    expect((emu().world.github.comments[9] ?? []).length).toBe(before);
    const warning = out
      .join('')
      .split('\n')
      .find((l) => l.startsWith('::warning'));
    expect(warning).toContain('HTTP 403');
    expect(warning).toContain('pull-requests: write');
  });

  it('a fork pull request is skipped with a warning before any call', async () => {
    const out = captureStdout();
    const calls = githubCalls();
    expect(await publishComment(result([gap]), env(8, true), read)).toBe('refused');
    expect(githubCalls()).toBe(calls);
    expect(out.join('')).toMatch(/::warning .*::Pull request #8 comes from a fork/);
  });

  it('pull_request_target from a fork tries, and a refusal is a warning', async () => {
    captureStdout();
    // the emulator refuses writes on fork PRs whatever the token, like GitHub's fork tokens: a warning
    expect(await publishComment(result([gap]), env(8, true, 'pull_request_target'), read)).toBe('refused');
  });

  it('is skipped without a call when pr_comment is false, without a token, or outside pull requests', async () => {
    captureStdout();
    const calls = githubCalls();
    expect(await publishComment(result([gap], 'ghs_write', false), env(7), read)).toBe('skipped');
    expect(await publishComment(result([gap], ''), env(7), read)).toBe('skipped');
    expect(await publishComment(result([gap]), env(7, false, 'push'), read)).toBe('skipped');
    expect(githubCalls()).toBe(calls);
  });
});
