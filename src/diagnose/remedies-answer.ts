// An answer the action refused to act on (src/gcp/answer.ts): a body that is not what the API
// promises, or a redirect. Neither is a missing permission nor Google's refusal; the usual cause
// is something between the runner and Google (a proxy, a captive portal, a misconfigured endpoint).
import { BAD_ANSWER, REDIRECT_REFUSED } from '../gcp/answer.ts';
import type { ApiError } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';

export function refusedAnswer(api: ApiError, evidence: string): Finding | undefined {
  const service = api.service ?? 'the API';
  if (api.reason === REDIRECT_REFUSED)
    return {
      check: 'redirect-refused',
      status: 'failed',
      title: `${service} answered with a redirect`,
      evidence,
      remedy: `Google APIs do not redirect: the action refused to follow it and sent nothing (no token, no request body) to the other address. Check the runner's proxy settings and any endpoint override, then re-run the workflow.`,
    };
  if (api.reason === BAD_ANSWER)
    return {
      check: 'bad-answer',
      status: 'failed',
      title: `${service} sent an answer that is not what its API returns`,
      evidence,
      remedy: `The action did not act on that answer: nothing was built or written from it (reads were retried). A proxy, a captive portal or a broken connection usually causes this; check the runner's network and re-run the workflow.`,
    };
  return undefined;
}
