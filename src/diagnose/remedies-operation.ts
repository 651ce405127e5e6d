// A Cloud Run long-running operation the action stopped waiting for (run.ts OperationTimeout), or
// a job.yaml write whose job was still not Ready (job/replace.ts NotReadyInTime). Cloud Run
// answered: it accepted the write and had not finished it at the action's bound. Nothing is wrong with the connection, so this is never "no answer": the write
// keeps going on Cloud Run's side and the job may still be reconciling (Job.reconciling and
// Job.terminalCondition, run_v2_messages.py), which its conditions show.
import { seconds } from '../gcp/timeout.ts';
import { shellQuote } from '../iam/commands.ts';
import type { DeployPlan, Finding } from '../model.ts';
import { cmd, flag } from './remedy-parts.ts';

export function operationUnfinished(o: {
  evidence: string;
  /** The operation's name, or the job whose reconcile had not ended (v1 has no operation). */
  unfinished: string;
  /** How long the action waited, when known. */
  waitedMs: number | undefined;
  /** The job write (deploy stage) or another Cloud Run request (the run of an execution). */
  deploy: boolean;
  plan: Pick<DeployPlan, 'project' | 'region' | 'job' | 'jobName'> | undefined;
}): Finding {
  const plan = o.plan;
  const op = /\/operations\//.test(o.unfinished) ? ` (operation ${o.unfinished})` : '';
  const job = plan ? `job ${plan.job}` : 'the job';
  const after = o.waitedMs ? ` within ${seconds(o.waitedMs)}` : '';
  const console = plan
    ? ` (https://console.cloud.google.com/run/jobs/details/${plan.region}/${plan.job}?project=${plan.project})`
    : '';
  const look = `Look at the job's conditions in the console${console} or with the command below: while \`reconciling\` is true Cloud Run is still working; \`terminalCondition\` says whether it ended Ready or why it failed.`;
  const f: Finding = {
    check: 'operation-unfinished',
    status: 'failed',
    title: o.deploy
      ? `Cloud Run accepted the write of ${job} but did not finish it in time`
      : `Cloud Run accepted the request for ${job} but did not finish it in time`,
    evidence: o.evidence,
    remedy: o.deploy
      ? `Nothing was refused and the connection worked: Cloud Run took the write of ${job}${op} but had not finished it${after}, the longest the action waits for a job write (wait_timeout bounds executions, not writes). The write keeps going on Cloud Run's side and the job may still be reconciling. ${look} Once it is Ready, re-run the workflow: the job then holds these settings and the re-run writes nothing; if it failed, fix what its condition names.`
      : `Nothing was refused and the connection worked: Cloud Run took the request${op} but had not finished it${after}; it keeps going on Cloud Run's side. ${look}`,
  };
  if (plan) {
    f.resource = plan.jobName;
    // gcloud run jobs describe JOB --region=REGION --project=PROJECT
    // (https://cloud.google.com/sdk/gcloud/reference/run/jobs/describe).
    f.command = cmd([
      'gcloud run jobs describe',
      shellQuote(plan.job),
      flag('region', plan.region),
      flag('project', plan.project),
    ]);
  }
  return f;
}
