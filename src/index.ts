// Entry point the runner loads (dist/index.js). It asks for the GitHub OIDC token first, and
// exchanges it for a Google access token as the answers come (exchange-prefetch.ts), while the
// rest of the action loads (separate chunks), so compiling it overlaps those round trips; then
// it runs, and fails the step once with its reason.
import { paramsFromEnv, startExchange } from './auth/exchange-prefetch.ts';
import { prefetchIdToken } from './auth/id-token-prefetch.ts';

// The fallback (any other audience, a failed prefetch) is the bounded, retried fetch of oidc.ts.
const prefetch = prefetchIdToken(process.env, async () => (await import('./auth/oidc.ts')).githubIdToken);
// STS and impersonation follow the OIDC answer at once, whatever is compiling meanwhile; but
// only once main.ts has found every input valid.
const params = prefetch ? paramsFromEnv(process.env) : undefined;
const exchange = prefetch && params ? startExchange(params, prefetch.token) : undefined;
// Loading the rest compiles synchronously, so the request must be on the wire first.
await prefetch?.sent;
const getIdToken = prefetch?.source;
const [{ run, ReportedFailure }, { fail, log }] = await Promise.all([
  import('./main.ts'),
  import('./output/log.ts'),
]);
// The reason can quote API messages and inputs: the writer neutralises it like every other line.
// Then exit at once: the work is done, and no library socket or timer left behind (a request
// that timed out, a keep-alive connection) may keep the step alive.
run({ ...(getIdToken ? { getIdToken } : {}), ...(exchange ? { exchange } : {}) })
  .catch((e: unknown) => {
    if (e instanceof ReportedFailure) {
      // Already an annotation on the line that caused it: one failure is one annotation.
      process.exitCode = 1;
      log.info(`Step failed: ${e.message}`);
    } else fail(e instanceof Error ? e.message : String(e));
  })
  .finally(() => process.exit());
