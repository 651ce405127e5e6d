// Human names for the principals and resources a report talks about: "Cloud Run service agent
// of demo-app", "runtime account runtime@…", "repository containers". Tables and the graph use
// the short form; the full IAM member or resource name goes into a <details> list.
import type { DeployPlan } from '../model.ts';

export interface Name {
  /** What it is, in words: "Cloud Run service agent of demo-app", "runtime account", "secret". */
  kind: string;
  /** The identifying part, shown as code (e-mails shortened to `local@…`); absent when `kind` says it all. */
  short?: string;
  /** The IAM member or full resource name, for the details list and the graph's node identity. */
  full: string;
}

type Plan = Pick<DeployPlan, 'project' | 'projectNumber' | 'serviceAccount' | 'serviceAgent'> &
  Partial<Pick<DeployPlan, 'deployer' | 'job'>>;

const AGENT = /^service-(\d+)@serverless-robot-prod\.iam\.gserviceaccount\.com$/;
const SCHEDULER_AGENT = /^service-(\d+)@gcp-sa-cloudscheduler\.iam\.gserviceaccount\.com$/;

/** `runtime@demo-app.iam.gserviceaccount.com` -> `runtime@…`: the part a reader recognises. */
export function shortEmail(email: string): string {
  const at = email.indexOf('@');
  return at > 0 ? `${email.slice(0, at)}@…` : email;
}

/** The e-mail of a `serviceAccount:` member or a `.../serviceAccounts/EMAIL` resource. */
function accountOf(name: string): string | undefined {
  return (
    /^serviceAccount:(.+)$/.exec(name)?.[1] ?? /^projects\/[^/]+\/serviceAccounts\/([^/]+)$/.exec(name)?.[1]
  );
}

/** A service account by its role in this deployment, when the plan tells. */
function account(email: string, full: string, plan?: Plan): Name {
  const agent = AGENT.exec(email);
  if (agent)
    return {
      kind: `Cloud Run service agent of ${plan && agent[1] === plan.projectNumber ? plan.project : `project ${agent[1]}`}`,
      full,
    };
  const scheduler = SCHEDULER_AGENT.exec(email);
  if (scheduler)
    return {
      kind: `Cloud Scheduler service agent of ${plan && scheduler[1] === plan.projectNumber ? plan.project : `project ${scheduler[1]}`}`,
      full,
    };
  const lower = email.toLowerCase();
  if (plan?.serviceAccount && lower === plan.serviceAccount.toLowerCase())
    return { kind: 'runtime account', short: shortEmail(email), full };
  if (plan?.deployer && lower === plan.deployer.toLowerCase())
    return { kind: 'deployer', short: shortEmail(email), full };
  return { kind: 'service account', short: shortEmail(email), full };
}

/**
 * One name per identity: the runtime account as a member (`serviceAccount:x`) and as a resource
 * (`projects/p/serviceAccounts/x`) is the same node, so both map to one key.
 */
export function identityKey(name: string): string {
  const email = accountOf(name);
  return email ? `sa:${email.toLowerCase()}` : name;
}

export function nameOf(name: string, plan?: Plan): Name {
  const email = accountOf(name);
  if (email) return account(email, name, plan);
  const wif = /^principalSet:\/\/.*\/attribute\.repository\/(.+)$/.exec(name);
  if (wif?.[1]) return { kind: 'GitHub workflows of', short: wif[1], full: name };
  const member = /^(user|group|domain|principal|principalSet):(.+)$/.exec(name);
  if (member?.[2])
    return { kind: member[1] === 'user' ? 'user' : (member[1] ?? ''), short: member[2], full: name };
  const repo = /^projects\/([^/]+)\/locations\/[^/]+\/repositories\/([^/]+)$/.exec(name);
  if (repo?.[2]) return { kind: 'repository', short: repo[2], full: name };
  const secret = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(name);
  if (secret?.[2]) return { kind: 'secret', short: secret[2], full: name };
  const subnet = /^projects\/[^/]+\/regions\/[^/]+\/subnetworks\/([^/]+)$/.exec(name);
  if (subnet?.[1]) return { kind: 'subnetwork', short: subnet[1], full: name };
  const key = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/([^/]+)$/.exec(name);
  if (key?.[1]) return { kind: 'key', short: key[1], full: name };
  const bucket = /^(?:projects\/_\/)?buckets\/([^/]+)$/.exec(name);
  if (bucket?.[1]) return { kind: 'bucket', short: bucket[1], full: name };
  const job = /^projects\/[^/]+\/locations\/[^/]+\/jobs\/([^/]+)$/.exec(name);
  if (job?.[1]) return { kind: 'job', short: job[1], full: name };
  const node = /^(projects|folders|organizations)\/([^/]+)$/.exec(name);
  if (node?.[2]) return { kind: node[1]?.replace(/s$/, '') ?? '', short: node[2], full: name };
  return { kind: '', short: name, full: name };
}

/** Plain words, for the graph and log lines: "runtime account runtime@…". */
export function plainName(n: Name): string {
  return [n.kind, n.short].filter(Boolean).join(' ');
}

/** A role as the table shows it: `roles/` dropped (custom roles keep their last segment). */
export function shortRole(role: string): string {
  return role.replace(/^roles\//, '').replace(/^(?:projects|organizations)\/[^/]+\/roles\//, '');
}
