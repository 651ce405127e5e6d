// IAM preflight: derive what the job needs, prove each requirement, and in mode `fix` grant
// what is missing. main.ts calls `preflight` and nothing else from this folder.
import type { AuthClient } from 'google-auth-library';
import type { Env } from '../auth/endpoints.ts';
import type { Sleep } from '../gcp/retry.ts';
import type { Config, DeployPlan, Finding, Grant, IamStatus } from '../model.ts';
import { createBackend, type IamBackend } from './backend.ts';
import { runChecks } from './check.ts';
import { applyFixes, type StepGrant } from './fix.ts';
import { prefetchMemberDomains, screenGrantMembers } from './member-domains.ts';
import { createReader, type Reader } from './reader.ts';
import { type CallerRequirement, type Requirement, requirementsFor } from './requirements.ts';
import { createRoleBook, type RoleBook } from './roles.ts';
import { markWhoActs, prefetchWhoActs } from './who-acts.ts';

export { wifUserCommand } from './commands.ts';

export interface PreflightLog {
  info(msg: string): void;
  warning(msg: string): void;
  debug(msg: string): void;
}

export interface PreflightOptions {
  plan: DeployPlan;
  config: Config;
  auth: AuthClient;
  env: Env;
  log: PreflightLog;
  sleep?: Sleep;
  /** Tests only: replace the Google API calls. */
  backend?: IamBackend;
  /** The step's session (see createPreflightSession): its reads are shared by every target. */
  session?: PreflightSession;
}

/** The backend, the read cache and the role book one step shares across its preflights. */
export interface PreflightSession {
  backend: IamBackend;
  reader: Reader;
  roles: RoleBook;
  /** Caveats already said in this step: each is said once, whatever the number of targets. */
  said?: Set<string>;
  /** Bindings this step grants (or plans), once for all its targets (fix.ts). */
  grants?: Map<string, Promise<StepGrant>>;
}

export function createPreflightSession(
  o: Pick<PreflightOptions, 'config' | 'auth' | 'env' | 'log' | 'sleep' | 'backend'>,
): PreflightSession {
  const backend = o.backend ?? createBackend({ auth: o.auth, universe: o.config.universe, env: o.env });
  const reader = createReader(backend, o.sleep);
  return { backend, reader, roles: createRoleBook(reader, o.log), said: new Set(), grants: new Map() };
}

/**
 * Starts, without waiting, the reads a provisional plan's checks make (one built before the
 * job and the project number are read), so the preflight proper finds them in the cache and
 * adds no round trip after those reads. Requirements on a resource whose name depends on
 * what is not known yet (`unknown`, e.g. the default compute account's project number) are
 * left for the preflight proper. Reads are settled, never thrown.
 */
export function warmPreflight(session: PreflightSession, plan: DeployPlan, unknown: string): void {
  const subjectOf = (r: Requirement) =>
    r.type === 'caller' || r.type === 'principal'
      ? r.resource.name
      : r.type === 'service-account'
        ? r.email
        : r.type === 'lookup'
          ? r.name
          : r.project;
  const knowable = (r: Requirement) => !subjectOf(r).includes(unknown);
  const requirements = requirementsFor(plan).filter(knowable);
  prefetchMemberDomains(requirements, session.reader);
  prefetchWhoActs(requirements, session.reader);
  void runChecks(requirements, { ...session, unknown }).catch(() => undefined);
  // Whether the job exists is learnt with the plan; an existing job's own permissions are
  // tested first (the narrowest scope). Ask now as if it exists: the answer is used only if it
  // does, and for a job about to be created the refused test costs no wait.
  // The preflight adds the job's setIamPolicy to that test (who-acts.ts), so the same set is asked.
  if (plan.jobExists === undefined) {
    const asIfExisting = requirementsFor({ ...plan, jobExists: true }).filter(knowable);
    prefetchWhoActs(asIfExisting, session.reader);
    const run = asIfExisting.find(
      (r): r is CallerRequirement => r.type === 'caller' && r.check === 'deployer-run',
    );
    if (run?.scope) void session.reader.testPermissions(run.scope.resource, run.scope.permissions);
  }
}

export interface PreflightResult {
  findings: Finding[];
  granted: Grant[];
  status: IamStatus;
  /** What could not be read but leaves every verdict as the allow side proves it (said once). */
  caveats?: string[];
}

/** fixed: something granted, nothing missing; missing beats unverified; warnings do not count. */
export function iamStatus(findings: readonly Finding[], granted: readonly Grant[]): IamStatus {
  if (findings.some((f) => f.status === 'missing')) return 'missing';
  // A gap closed in this step counts, also when another target's write closed it.
  if (granted.length > 0 || findings.some((f) => f.status === 'granted')) return 'fixed';
  if (findings.some((f) => f.status === 'unverified')) return 'unverified';
  return 'ok';
}

export async function preflight(o: PreflightOptions): Promise<PreflightResult> {
  if (o.config.iam === 'off') return { findings: [], granted: [], status: 'ok' };
  const session = o.session ?? createPreflightSession(o);
  const { backend, reader, roles } = session;
  const caveats = new Set<string>();
  const requirements = requirementsFor(o.plan);
  prefetchMemberDomains(requirements, reader);
  const asks = prefetchWhoActs(requirements, reader);
  const results = await runChecks(requirements, {
    reader,
    roles,
    allowPrivilegedRuntimeAccount: o.config.allowPrivilegedRuntimeAccount,
    projectNumbers: { [o.plan.project]: o.plan.projectNumber },
    strict: o.config.failOn === 'unverified',
    caveat: (text) => caveats.add(text),
  });
  const findings = results.map((r) => r.finding);
  // Before any grant is planned: one the organization would refuse is dropped, with the reason.
  await screenGrantMembers(findings, { reader, caveat: (text) => caveats.add(text) });
  // Who can close each gap: the deployer (it may set that policy) or an administrator.
  await markWhoActs(findings, reader, asks);
  const granted =
    o.config.iam === 'fix'
      ? await applyFixes(findings, {
          backend,
          reader,
          dryRun: o.config.dryRun,
          log: o.log,
          ...(session.grants ? { stepGrants: session.grants } : {}),
          ...(o.sleep ? { sleep: o.sleep } : {}),
        })
      : [];
  // A granted requirement now holds: say so, rather than what was missing or unverified.
  for (const r of results) if (r.finding.status === 'granted') r.finding.title = r.requirement.holds;
  const status = iamStatus(findings, granted);
  // The report's words (src/report/vocabulary.ts): satisfied reads "ok", granted "fixed".
  const counts = (
    [
      ['satisfied', 'ok'],
      ['missing', 'missing'],
      ['unverified', 'unverified'],
      ['granted', 'fixed'],
    ] as const
  ).map(([s, word]) => `${findings.filter((f) => f.status === s).length} ${word}`);
  o.log.info(`IAM ${status} (${findings.length} checks: ${counts.join(', ')})`);
  // Each caveat once per step, however many targets share the session.
  session.said ??= new Set();
  for (const c of caveats) {
    if (session.said.has(c)) continue;
    session.said.add(c);
    o.log.info(`Caveat: ${c}`);
  }
  return { findings, granted, status, ...(caveats.size > 0 ? { caveats: [...caveats] } : {}) };
}
