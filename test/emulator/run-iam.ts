// Cloud Run jobs' own IAM policies (getIamPolicy with GET, setIamPolicy, testIamPermissions),
// served on v2 and v1 under projects/P/locations/L/jobs/J. The policy lives in
// world.jobPolicies; every Cloud Run call on the job honours it (run-model.ts gate).
import { iamMethods } from './access.ts';
import type { Ctx, Handler, Policy } from './contract.ts';
import type { PolicyHolder } from './policy-api.ts';
import { jobName, jobRef } from './run-model.ts';
import { forService } from './services.ts';

/** The policy of an existing job (an empty one until something is set), or undefined. */
function holderOf(ctx: Ctx, name: string): PolicyHolder | undefined {
  if (!ctx.world.jobs[name]) return undefined;
  const world = ctx.world;
  return {
    get policy(): Policy {
      world.jobPolicies ??= {};
      world.jobPolicies[name] ??= { version: 1, etag: 'ACAB' };
      return world.jobPolicies[name];
    },
    set policy(p: Policy) {
      world.jobPolicies ??= {};
      world.jobPolicies[name] = p;
    },
  };
}

function jobIam(version: 'v1' | 'v2'): Handler[] {
  const base = new RegExp(`^/${version}/projects/([^/]+)/locations/([^/]+)/jobs/([^/:]+)$`);
  return iamMethods(base, 'GET', (ctx, [project = '', location = '', job = '']) => {
    const ref = jobRef(ctx.world, project, location, job);
    const name = jobName(ref);
    return {
      domain: 'run.googleapis.com',
      denied: (perm) => `Permission '${perm}' denied on resource '${name}' (or resource may not exist).`,
      notFound: `Resource '${job}' of kind 'JOB' in region '${location}' in project '${ref.projectId}' does not exist.`,
      resource: name,
      holder: holderOf(ctx, name),
      getPermission: 'run.jobs.getIamPolicy',
      setPermission: 'run.jobs.setIamPolicy',
    };
  });
}

export const handlers: Handler[] = forService('run.googleapis.com', [...jobIam('v2'), ...jobIam('v1')]);
