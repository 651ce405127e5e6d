// What the GitHub event says about the run, for the auth step's own explanations: a pull request
// from a fork gets no OIDC token (GitHub withholds id-token from such workflows).
import { readFileSync } from 'node:fs';
import type { Env } from './endpoints.ts';

type PullRequestEvent = {
  pull_request?: { head?: { repo?: { full_name?: unknown } }; base?: { repo?: { full_name?: unknown } } };
};

/** The fork's owner/name when this run is a `pull_request` from a fork, else undefined. */
export function forkPullRequestHead(
  env: Env,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string | undefined {
  if (env.GITHUB_EVENT_NAME !== 'pull_request' || !env.GITHUB_EVENT_PATH) return undefined;
  let event: PullRequestEvent;
  try {
    event = JSON.parse(read(env.GITHUB_EVENT_PATH)) as PullRequestEvent;
  } catch {
    return undefined;
  }
  const head = event.pull_request?.head?.repo?.full_name;
  const base = event.pull_request?.base?.repo?.full_name ?? env.GITHUB_REPOSITORY;
  if (typeof head !== 'string' || typeof base !== 'string') return undefined;
  return head.toLowerCase() === base.toLowerCase() ? undefined : head;
}
