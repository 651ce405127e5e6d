// Scenario file (YAML, documented in SCENARIO.md) -> World, with the defaults a real project
// has: the default compute service account holding roles/editor, the Cloud Run service agent
// holding roles/run.serviceAgent, and iam.disableCrossProjectServiceAccountUsage enforced.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { conditionProblem } from './cel.ts';
import type { DenyRule, Policy, World, WorldGithub, WorldProject } from './contract.ts';
import type { OrgPolicySetting, OrgSpec } from './orgpolicy-state.ts';
import { newEtag } from './policy-api.ts';
import { seededJob } from './run-model.ts';
import { connectedFromObject } from './scenario-connected.ts';
import { fail, list, type Obj, obj } from './scenario-read.ts';
import { tagsFromObject } from './world-tags.ts';

const DEFAULT_SERVICES = [
  'run.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'artifactregistry.googleapis.com',
  'secretmanager.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'orgpolicy.googleapis.com',
  'sts.googleapis.com',
  // The connected-resource APIs the emulator gates on the consumer project (services.ts);
  // sqladmin stays off by default (worlds enable it with enableServices).
  'serviceusage.googleapis.com',
  'logging.googleapis.com',
  'storage.googleapis.com',
  'compute.googleapis.com',
  'vpcaccess.googleapis.com',
  'cloudkms.googleapis.com',
  'policytroubleshooter.googleapis.com',
];

const str = (v: unknown, where: string): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : fail(where, 'expected a string');

function policy(v: unknown, where: string): Policy {
  const p = obj(v, where);
  const bindings = list(p.bindings, `${where}.bindings`).map((b, i) => {
    const bo = obj(b, `${where}.bindings[${i}]`);
    const binding: NonNullable<Policy['bindings']>[number] = {
      role: str(bo.role, `${where}.bindings[${i}].role`),
      members: list(bo.members, `${where}.bindings[${i}].members`).map((m) =>
        str(m, `${where}.bindings[${i}].members`),
      ),
    };
    if (bo.condition !== undefined) {
      const c = obj(bo.condition, `${where}.bindings[${i}].condition`);
      binding.condition = { expression: str(c.expression, `${where}.bindings[${i}].condition.expression`) };
      if (typeof c.title === 'string') binding.condition.title = c.title;
      if (typeof c.description === 'string') binding.condition.description = c.description;
    }
    return binding;
  });
  const out: Policy = { version: bindings.some((b) => b.condition) ? 3 : 1, etag: newEtag(), bindings };
  if (Array.isArray(p.auditConfigs)) out.auditConfigs = p.auditConfigs;
  return out;
}

function addBinding(p: Policy, role: string, member: string): void {
  p.bindings ??= [];
  const b = p.bindings.find((x) => x.role === role && !x.condition);
  if (!b) p.bindings.push({ role, members: [member] });
  else if (!b.members.includes(member)) b.members.push(member);
}

/** Stable numeric id from a string, so unique ids survive reloads of the same scenario. */
function numericId(seed: string, digits: number): string {
  const hex = createHash('sha256').update(seed).digest('hex').slice(0, 15);
  return (BigInt(`0x${hex}`) % 10n ** BigInt(digits)).toString().padStart(digits, '1');
}

function github(v: unknown): WorldGithub {
  const g = obj(v, 'github');
  const repository = typeof g.repository === 'string' ? g.repository : 'octo-org/octo-repo';
  const [owner = 'octo-org'] = repository.split('/');
  const ref = 'refs/heads/main';
  const claims: Record<string, string> = {
    sub: `repo:${repository}:ref:${ref}`,
    repository,
    repository_owner: owner,
    repository_id: numericId(repository, 9),
    repository_owner_id: numericId(owner, 8),
    repository_visibility: 'private',
    ref,
    ref_type: 'branch',
    sha: createHash('sha1').update(repository).digest('hex'),
    workflow: 'deploy',
    workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
    job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
    actor: 'octocat',
    actor_id: '583231',
    event_name: 'push',
    run_id: '1000000001',
    run_number: '1',
    run_attempt: '1',
    runner_environment: 'github-hosted',
  };
  for (const [k, val] of Object.entries(obj(g.claims, 'github.claims')))
    claims[k] = str(val, `github.claims.${k}`);
  const comments: WorldGithub['comments'] = {};
  for (const [k, val] of Object.entries(obj(g.comments, 'github.comments'))) {
    comments[Number(k)] = list(val, `github.comments.${k}`) as WorldGithub['comments'][number];
  }
  return {
    repository,
    pullRequests: list(g.pullRequests, 'github.pullRequests').map((p, i) => {
      const po = obj(p, `github.pullRequests[${i}]`);
      const pr: { number: number; fork?: boolean } = { number: Number(po.number) };
      if (po.fork === true) pr.fork = true;
      return pr;
    }),
    tokens: obj(g.tokens, 'github.tokens') as WorldGithub['tokens'],
    claims,
    comments,
  };
}

export function worldFromObject(raw: Obj): World {
  const world: World = {
    organizations: list(raw.organizations, 'organizations').map((o, i) => {
      const oo = obj(o, `organizations[${i}]`);
      return {
        id: str(oo.id, `organizations[${i}].id`),
        policy: policy(oo.policy, `organizations[${i}].policy`),
        ...orgPolicies(oo.orgPolicies, `organizations[${i}].orgPolicies`),
      };
    }),
    folders: list(raw.folders, 'folders').map((f, i) => {
      const fo = obj(f, `folders[${i}]`);
      return {
        id: str(fo.id, `folders[${i}].id`),
        parent: str(fo.parent, `folders[${i}].parent`),
        policy: policy(fo.policy, `folders[${i}].policy`),
        ...orgPolicies(fo.orgPolicies, `folders[${i}].orgPolicies`),
      };
    }),
    projects: [],
    serviceAccounts: [],
    customRoles: list(raw.customRoles, 'customRoles').map((r, i) => {
      const ro = obj(r, `customRoles[${i}]`);
      const role: World['customRoles'][number] = {
        name: str(ro.name, `customRoles[${i}].name`),
        includedPermissions: list(ro.includedPermissions, `customRoles[${i}].includedPermissions`).map(
          String,
        ),
      };
      if (typeof ro.title === 'string') role.title = ro.title;
      return role;
    }),
    repositories: list(raw.repositories, 'repositories').map((r, i) => {
      const ro = obj(r, `repositories[${i}]`);
      const name = str(ro.name, `repositories[${i}].name`);
      if (!/^projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/]+$/.test(name)) {
        fail(`repositories[${i}].name`, 'expected projects/P/locations/L/repositories/R');
      }
      const images: Record<string, string[]> = {};
      for (const [path, tags] of Object.entries(obj(ro.images, `repositories[${i}].images`))) {
        images[path] = list(tags, `repositories[${i}].images.${path}`).map(String);
      }
      return {
        name,
        format: typeof ro.format === 'string' ? ro.format : 'DOCKER',
        policy: policy(ro.policy, `repositories[${i}].policy`),
        images,
      };
    }),
    secrets: list(raw.secrets, 'secrets').map((s, i) => {
      const so = obj(s, `secrets[${i}]`);
      const name = str(so.name, `secrets[${i}].name`);
      if (!/^projects\/[^/]+\/secrets\/[^/]+$/.test(name))
        fail(`secrets[${i}].name`, 'expected projects/P/secrets/S');
      return {
        name,
        versions: so.versions === undefined ? ['1'] : list(so.versions, `secrets[${i}].versions`).map(String),
        policy: policy(so.policy, `secrets[${i}].policy`),
      };
    }),
    groups: list(raw.groups, 'groups').map((g, i) => {
      const go = obj(g, `groups[${i}]`);
      return {
        email: str(go.email, `groups[${i}].email`),
        members: list(go.members, `groups[${i}].members`).map(String),
      };
    }),
    providers: list(raw.providers, 'providers').map((p, i) => {
      const po = obj(p, `providers[${i}]`);
      const name = str(po.name, `providers[${i}].name`);
      if (!/^projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(name)) {
        fail(
          `providers[${i}].name`,
          'expected projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER',
        );
      }
      const mapping =
        po.attributeMapping === undefined ? { 'google.subject': 'assertion.sub' } : po.attributeMapping;
      const provider: World['providers'][number] = {
        name,
        attributeMapping: Object.fromEntries(
          Object.entries(obj(mapping, `providers[${i}].attributeMapping`)).map(([k, v]) => [k, String(v)]),
        ),
      };
      if (typeof po.attributeCondition === 'string') provider.attributeCondition = po.attributeCondition;
      if (po.disabled === true) provider.disabled = true;
      if (Array.isArray(po.allowedAudiences)) provider.allowedAudiences = po.allowedAudiences.map(String);
      return provider;
    }),
    github: github(raw.github),
    tokens: Object.fromEntries(
      Object.entries(obj(raw.tokens, 'tokens')).map(([k, v]) => [k, str(v, `tokens.${k}`)]),
    ),
    jobs: Object.fromEntries(
      Object.entries(obj(raw.jobs, 'jobs')).map(([name, job]) => [
        name,
        seededJob(name, obj(job, `jobs.${name}`)),
      ]),
    ) as World['jobs'],
    executions: obj(raw.executions, 'executions') as World['executions'],
    operations: obj(raw.operations, 'operations') as World['operations'],
    imageExitCodes: obj(raw.imageExitCodes, 'imageExitCodes') as Record<string, number>,
    propagationDelayMs: Number(raw.propagationDelayMs ?? 0),
    latencyMs: Number(raw.latencyMs ?? 0),
    connected: connectedFromObject(raw, policy),
  };
  if (raw.quotaExhausted !== undefined)
    world.quotaExhausted = list(raw.quotaExhausted, 'quotaExhausted').map(String);
  if (raw.tags !== undefined) world.tags = tagsFromObject(raw);
  if (raw.imageRunMs !== undefined)
    world.imageRunMs = Object.fromEntries(
      Object.entries(obj(raw.imageRunMs, 'imageRunMs')).map(([image, ms]) => [image, Number(ms)]),
    );
  if (raw.operationDelayMs !== undefined) world.operationDelayMs = Number(raw.operationDelayMs);
  if (raw.logSearchCutShort !== undefined) world.logSearchCutShort = Number(raw.logSearchCutShort);
  if (raw.gpuQuota !== undefined)
    world.gpuQuota = Object.fromEntries(
      Object.entries(obj(raw.gpuQuota, 'gpuQuota')).map(([region, n]) => [region, Number(n)]),
    );
  if (raw.jobPolicies !== undefined) {
    world.jobPolicies = {};
    for (const [name, p] of Object.entries(obj(raw.jobPolicies, 'jobPolicies'))) {
      if (!/^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/.test(name))
        fail(`jobPolicies.${name}`, 'expected projects/ID/locations/L/jobs/J');
      world.jobPolicies[name] = policy(p, `jobPolicies.${name}`);
    }
  }
  if (raw.denyPolicies !== undefined) world.denyPolicies = denyPolicies(raw.denyPolicies);

  list(raw.projects, 'projects').forEach((p, i) => {
    const po = obj(p, `projects[${i}]`);
    const id = str(po.id, `projects[${i}].id`);
    const project: WorldProject = {
      id,
      number: po.number === undefined ? numericId(id, 12) : str(po.number, `projects[${i}].number`),
      policy: policy(po.policy, `projects[${i}].policy`),
      orgPolicies: {
        'iam.disableCrossProjectServiceAccountUsage': true,
        ...(orgPolicies(po.orgPolicies, `projects[${i}].orgPolicies`).orgPolicies ?? {}),
      },
      services: [
        ...(po.services === undefined
          ? DEFAULT_SERVICES
          : list(po.services, `projects[${i}].services`).map(String)),
        ...list(po.enableServices, `projects[${i}].enableServices`).map(String),
      ].filter((s) => !list(po.disabledServices, `projects[${i}].disabledServices`).includes(s)),
    };
    if (po.parent !== undefined) project.parent = str(po.parent, `projects[${i}].parent`);
    world.projects.push(project);
    // What a real project has unless the scenario opts out.
    if (po.computeServiceAccount !== false) {
      const email = `${project.number}-compute@developer.gserviceaccount.com`;
      world.serviceAccounts.push({
        email,
        project: id,
        uniqueId: numericId(email, 21),
        disabled: false,
        policy: policy({}, email),
      });
      addBinding(project.policy, 'roles/editor', `serviceAccount:${email}`);
    }
    if (po.runServiceAgent !== false) {
      addBinding(
        project.policy,
        'roles/run.serviceAgent',
        `serviceAccount:${runServiceAgent(project.number)}`,
      );
    }
  });

  list(raw.serviceAccounts, 'serviceAccounts').forEach((s, i) => {
    const so = obj(s, `serviceAccounts[${i}]`);
    const email = str(so.email, `serviceAccounts[${i}].email`);
    const project =
      so.project !== undefined
        ? str(so.project, `serviceAccounts[${i}].project`)
        : (/@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1] ??
          fail(`serviceAccounts[${i}].project`, `cannot derive the project of ${email}; set project`));
    const existing = world.serviceAccounts.findIndex((x) => x.email === email);
    const sa = {
      email,
      project,
      uniqueId:
        so.uniqueId === undefined ? numericId(email, 21) : str(so.uniqueId, `serviceAccounts[${i}].uniqueId`),
      disabled: so.disabled === true,
      policy: policy(so.policy, `serviceAccounts[${i}].policy`),
    };
    if (existing >= 0) world.serviceAccounts[existing] = sa;
    else world.serviceAccounts.push(sa);
  });
  return world;
}

function denyPolicies(v: unknown): NonNullable<World['denyPolicies']> {
  return list(v, 'denyPolicies').map((d, i) => {
    const where = `denyPolicies[${i}]`;
    const o = obj(d, where);
    const attachmentPoint = str(o.attachmentPoint, `${where}.attachmentPoint`);
    if (!/^(projects|folders|organizations)\/[^/]+$/.test(attachmentPoint))
      fail(`${where}.attachmentPoint`, 'expected projects/ID, folders/N or organizations/N');
    const strings = (x: unknown, at: string) => list(x, at).map((s) => str(s, at));
    const rules = list(o.rules, `${where}.rules`).map((r, j) => {
      const at = `${where}.rules[${j}]`;
      const ro = obj(r, at);
      const dr = obj(ro.denyRule, `${at}.denyRule`);
      const rule: DenyRule = {
        deniedPrincipals: strings(dr.deniedPrincipals, `${at}.denyRule.deniedPrincipals`),
        deniedPermissions: strings(dr.deniedPermissions, `${at}.denyRule.deniedPermissions`),
      };
      if (dr.exceptionPrincipals !== undefined)
        rule.exceptionPrincipals = strings(dr.exceptionPrincipals, `${at}.denyRule.exceptionPrincipals`);
      if (dr.exceptionPermissions !== undefined)
        rule.exceptionPermissions = strings(dr.exceptionPermissions, `${at}.denyRule.exceptionPermissions`);
      if (dr.denialCondition !== undefined) {
        const c = obj(dr.denialCondition, `${at}.denyRule.denialCondition`);
        rule.denialCondition = { expression: str(c.expression, `${at}.denyRule.denialCondition.expression`) };
        // Deny conditions may use the tag functions only (cel-functions.ts): IAM refuses others.
        const problem = conditionProblem(rule.denialCondition.expression, 'deny');
        if (problem) fail(`${at}.denyRule.denialCondition.expression`, problem);
        if (typeof c.title === 'string') rule.denialCondition.title = c.title;
      }
      const out: { description?: string; denyRule: DenyRule } = { denyRule: rule };
      if (typeof ro.description === 'string') out.description = ro.description;
      return out;
    });
    const policy: NonNullable<World['denyPolicies']>[number] = {
      attachmentPoint,
      id: str(o.id ?? `deny-${i + 1}`, `${where}.id`),
      etag: newEtag(),
      rules,
    };
    if (typeof o.displayName === 'string') policy.displayName = o.displayName;
    return policy;
  });
}

export function runServiceAgent(projectNumber: string): string {
  return `service-${projectNumber}@serverless-robot-prod.iam.gserviceaccount.com`;
}

/** Load a scenario from a YAML file path or an already-parsed object (deep-copied). */
export function loadScenario(source: string | Obj): World {
  if (typeof source !== 'string') return worldFromObject(structuredClone(source));
  const text = readFileSync(source, 'utf8');
  try {
    return worldFromObject(obj(parse(text), source));
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}

/** Org policies set on a node: constraint -> true/false (boolean) or an Org Policy v2 spec. */
function orgPolicies(v: unknown, at: string): { orgPolicies?: Record<string, OrgPolicySetting> } {
  if (v === undefined) return {};
  const out: Record<string, OrgPolicySetting> = {};
  for (const [constraint, setting] of Object.entries(obj(v, at))) {
    if (typeof setting === 'boolean') out[constraint] = setting;
    else out[constraint] = obj(setting, `${at}.${constraint}`) as OrgSpec;
  }
  return { orgPolicies: out };
}
