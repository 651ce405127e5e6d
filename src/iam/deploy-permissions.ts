// What deploying asks of the deployer, and the member form of an identity. Pure; shared by the
// requirement rows and diagnosis (re-exported from requirements.ts).

export const CROSS_PROJECT_SA_CONSTRAINT = 'iam.disableCrossProjectServiceAccountUsage';

/** IAM member form of an identity: emails become serviceAccount:/user:, member strings pass through. */
export function memberOf(identity: string): string {
  if (
    identity.includes('://') ||
    /^(user|serviceAccount|group|domain|principal|principalSet):/.test(identity)
  ) {
    return identity;
  }
  return identity.endsWith('.gserviceaccount.com') ? `serviceAccount:${identity}` : `user:${identity}`;
}

/**
 * What deploying the job asks of the deployer: create when it does not exist yet, update
 * (after a get) when it does, both when it is unknown (its read was refused). The same for
 * replace from a job.yaml, which creates a missing job and replaces an existing one.
 */
export function deployPermissions(jobExists: boolean | undefined, execute: boolean): string[] {
  const write =
    jobExists === true
      ? ['run.jobs.update']
      : jobExists === false
        ? ['run.jobs.create']
        : ['run.jobs.create', 'run.jobs.update'];
  return [...write, 'run.jobs.get', 'run.operations.get', ...(execute ? ['run.jobs.run'] : [])];
}

/** Every permission a deploy may need, whether or not the job exists: one test answers both cases. */
export function deployAsk(execute: boolean): string[] {
  return deployPermissions(undefined, execute);
}
