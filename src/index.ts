// Entry point the runner loads (dist/index.js). It asks for the GitHub OIDC token first and only
// then loads the rest of the action (a separate chunk), so compiling it overlaps the first round
// trip; then it runs, and fails the step once with its reason.
import { prefetchIdToken } from './auth/id-token-prefetch.ts';

const core = () => import('@actions/core');
const getIdToken = prefetchIdToken(process.env, async () => (await core()).getIDToken);
const [{ run }, { setFailed }, { forLog }] = await Promise.all([
  import('./main.ts'),
  core(),
  import('./report/escape.ts'),
]);
// The reason can quote API messages and inputs: neutralise it like every other log line.
run(getIdToken ? { getIdToken } : {}).catch((e: unknown) =>
  setFailed(forLog(e instanceof Error ? e.message : String(e))),
);
