// Helpers for the IAM scenario library (test/scenarios/iam/*.yaml): load a world and its
// expectations, give it the runner plumbing (workload identity federation into the deployer),
// snapshot every IAM policy the world holds, and compare snapshots binding by binding.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Policy, World } from '../emulator/contract.ts';

export type Status = string | string[];

export interface ModeExpectation {
  iam_status: string;
  /** check id -> status, or the sorted statuses when a check yields several findings. */
  findings: Record<string, Status>;
  granted: Array<{ kind: string; resource: string; role: string; member: string }>;
  success: boolean;
  /** check id -> text its (first) finding's evidence must contain: the proof went the stated way. */
  evidence?: Record<string, string>;
  /** check id -> the exact command its (first) finding shows. */
  command?: Record<string, string>;
  /** check id -> who can close the gap, as the preflight tested it (the deployer's setIamPolicy). */
  who?: Record<string, 'deployer' | 'administrator'>;
}

export interface DryRunExpectation extends ModeExpectation {
  /** Grants the dry run must show (diff + gcloud command); default: those fix granted. */
  planned?: ModeExpectation['granted'];
}

export interface Expectation {
  /** The deployer service account the runner impersonates. */
  deployer: string;
  /** The project (id, with an explicit number) holding the workload identity pool; default the job's. */
  poolProject?: string;
  /** Action inputs besides the runner plumbing (project_id, job, image, service_account, ...). */
  inputs: Record<string, string>;
  /** Files in the workspace (e.g. a job.yaml for the metadata input): path -> content. */
  files?: Record<string, string>;
  check: ModeExpectation;
  fix: ModeExpectation;
  dry_run: DryRunExpectation;
}

export interface ScenarioFile {
  file: string;
  /** What the world proves: the leading comment of the file. */
  about: string;
  world: Record<string, unknown>;
  expect: Expectation;
}

export const GITHUB_REPOSITORY = 'acme/payments';

export function loadScenarios(dir: string): ScenarioFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      // ${now+Nd}: an instant N days from now (a grant that ends soon stays "soon" on any day).
      const text = readFileSync(join(dir, file), 'utf8').replace(/\$\{now([+-]\d+)d\}/g, (_, n: string) =>
        new Date(Date.now() + Number(n) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      );
      const { expect, ...world } = parse(text) as Record<string, unknown> & { expect?: Expectation };
      if (!expect) throw new Error(`${file}: no expect: block`);
      const about = text
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => l.replace(/^#\s?/, ''))
        .join(' ');
      return { file, about, world, expect };
    });
}

type Obj = Record<string, unknown>;

/** Workload identity provider of the job's project (the runner authenticates through it). */
export function providerOf(world: Obj, project: string): string {
  const projects = (world.projects ?? []) as Array<{ id: string; number?: string }>;
  const number = projects.find((p) => p.id === project)?.number;
  if (!number) throw new Error(`scenario: project ${project} needs an explicit number`);
  return `projects/${number}/locations/global/workloadIdentityPools/github/providers/github-actions`;
}

/** The step's inputs for a library world: its provider and deployer, us-central1, its own inputs, then `over`. */
export function scenarioInputs(s: ScenarioFile, over: Record<string, string> = {}): Record<string, string> {
  const e = s.expect;
  return {
    workload_identity_provider: providerOf(s.world, e.poolProject ?? e.inputs.project_id ?? ''),
    impersonate_service_account: e.deployer,
    region: 'us-central1',
    ...e.inputs,
    ...over,
  };
}

/**
 * The world as the runner meets it: a GitHub repository, a workload identity provider in the
 * job's project, and the deployer account impersonable by that repository. Only the deployer's
 * own policy gains a binding; everything the scenario is about stays as written.
 */
export function withRunner(world: Obj, e: Expectation): Obj {
  const out = structuredClone(world);
  const provider = providerOf(out, e.poolProject ?? e.inputs.project_id ?? '');
  const pool = provider.slice(0, provider.indexOf('/providers/'));
  out.providers = [
    {
      name: provider,
      attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' },
      attributeCondition: `assertion.repository == '${GITHUB_REPOSITORY}'`,
    },
  ];
  out.github = { repository: GITHUB_REPOSITORY };
  const accounts = (out.serviceAccounts ?? []) as Array<{ email: string; policy?: { bindings?: unknown[] } }>;
  let deployer = accounts.find((a) => a.email === e.deployer);
  if (!deployer) {
    deployer = { email: e.deployer };
    accounts.push(deployer);
  }
  deployer.policy ??= {};
  deployer.policy.bindings ??= [];
  deployer.policy.bindings.push({
    role: 'roles/iam.workloadIdentityUser',
    members: [`principalSet://iam.googleapis.com/${pool}/attribute.repository/${GITHUB_REPOSITORY}`],
  });
  out.serviceAccounts = accounts;
  return out;
}

/** Every IAM policy in the world, by full resource name, deep-copied. */
export function snapshotPolicies(world: World): Map<string, Policy> {
  const out = new Map<string, Policy>();
  const put = (name: string, p: Policy) => out.set(name, structuredClone(p));
  for (const o of world.organizations) put(`organizations/${o.id}`, o.policy);
  for (const f of world.folders) put(`folders/${f.id}`, f.policy);
  for (const p of world.projects) put(`projects/${p.id}`, p.policy);
  for (const s of world.serviceAccounts) put(`projects/${s.project}/serviceAccounts/${s.email}`, s.policy);
  for (const r of world.repositories) put(r.name, r.policy);
  for (const s of world.secrets) put(s.name, s.policy);
  for (const s of world.connected.subnetworks) put(s.name, s.policy);
  for (const b of world.connected.buckets) put(`projects/_/buckets/${b.name}`, b.policy);
  for (const [name, k] of Object.entries(world.connected.cryptoKeys)) put(name, k.policy);
  // A job's own policy (only the jobs that have one: an empty policy appears on first read).
  for (const [name, p] of Object.entries(world.jobPolicies ?? {})) if (p.bindings?.length) put(name, p);
  return out;
}

/** A policy as a set of (role, condition, member) facts, plus its audit configs. */
function facts(p: Policy | undefined): { members: Set<string>; audit: string } {
  const members = new Set<string>();
  for (const b of p?.bindings ?? []) {
    for (const m of b.members) members.add(`${b.role} | ${JSON.stringify(b.condition ?? null)} | ${m}`);
  }
  return { members, audit: JSON.stringify(p?.auditConfigs ?? []) };
}

/**
 * What changed between two snapshots, etag and version aside: per resource, the facts
 * added and removed, and whether audit configs changed. Empty when nothing changed.
 */
export function policyChanges(
  before: Map<string, Policy>,
  after: Map<string, Policy>,
): Array<{ resource: string; added: string[]; removed: string[]; auditChanged?: true }> {
  const names = new Set([...before.keys(), ...after.keys()]);
  const changes: Array<{ resource: string; added: string[]; removed: string[]; auditChanged?: true }> = [];
  for (const resource of [...names].sort()) {
    const a = facts(before.get(resource));
    const b = facts(after.get(resource));
    const added = [...b.members].filter((m) => !a.members.has(m)).sort();
    const removed = [...a.members].filter((m) => !b.members.has(m)).sort();
    const auditChanged = a.audit !== b.audit;
    if (added.length || removed.length || auditChanged)
      changes.push({ resource, added, removed, ...(auditChanged ? { auditChanged: true as const } : {}) });
  }
  return changes;
}

/** The changes a list of grants should make, in the shape policyChanges reports. */
export function changesOf(
  grants: ReadonlyArray<{ resource: string; role: string; member: string }>,
): Array<{ resource: string; added: string[]; removed: string[] }> {
  const by = new Map<string, string[]>();
  for (const g of grants) {
    const list = by.get(g.resource) ?? [];
    list.push(`${g.role} | null | ${g.member}`);
    by.set(g.resource, list);
  }
  return [...by.keys()].sort().map((resource) => ({
    resource,
    added: (by.get(resource) ?? []).sort(),
    removed: [],
  }));
}

/** Findings JSON -> check id -> status (sorted list when a check has several findings). */
export function statusesByCheck(
  findings: ReadonlyArray<{ check: string; status: string }>,
): Record<string, Status> {
  const out: Record<string, Status> = {};
  for (const f of findings) {
    const prev = out[f.check];
    out[f.check] =
      prev === undefined ? f.status : [...(Array.isArray(prev) ? prev : [prev]), f.status].sort();
  }
  return out;
}
