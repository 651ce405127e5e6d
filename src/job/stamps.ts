// What the action itself stamps on every job it writes, beside the client/clientVersion fields:
// the annotation naming this run's write, so a write whose answer was lost is recognised when
// the job is read back (reconcile.ts), and which the job plan never counts as a change (diff.ts).
export const DEPLOY_ID_KEY = 'cloud-run-job-action/deploy-id';
