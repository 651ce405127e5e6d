// Where Google enforces the organization policies the emulator models:
// - Cloud Run refuses a job create/update whose settings a list constraint does not allow
//   (region: gcp.resourceLocations; VPC egress: run.allowedVPCEgress; Binary Authorization:
//   run.allowedBinaryAuthorizationPolicies; no CMEK key where gcp.restrictNonCmekServices denies
//   run.googleapis.com; a key outside gcp.restrictCmekCryptoKeyProjects). A job that sets no
//   egress or no Binary Authorization has no value, which a non-empty allowed list does not allow.
//   The answer is 400 FAILED_PRECONDITION "Precondition check failed." (as Cloud Run answered an
//   org-policy refusal: GoogleCloudPlatform/cloud-foundation-fabric#1279) with a
//   google.rpc.PreconditionFailure naming each violated constraint.
// - setIamPolicy refuses a new member outside iam.allowedPolicyMemberDomains: 400
//   FAILED_PRECONDITION, "One or more users named in the policy do not belong to a permitted
//   customer.", one PreconditionFailure violation per member, type
//   constraints/iam.allowedPolicyMemberDomains, subject orgpolicy:RESOURCE?configvalue=EMAIL
//   (terraform-google-modules/terraform-example-foundation#1454, GoogleCloudPlatform/
//   cloud-foundation-fabric#1835). Allowed values are Cloud Identity customer IDs; a world's
//   organization N has customer C0 + the last 7 digits of N (as resourcemanager.ts serves it).
import { type Ctx, HttpError, type Policy, type World } from './contract.ts';
import { hierarchyOf } from './iam-engine.ts';
import { listAllows } from './orgpolicy-state.ts';
import type { JobRef, Json } from './run-model.ts';
import { asArray, asJson, str } from './run-model.ts';
import { findProject } from './world-index.ts';

interface Violation {
  type: string;
  subject: string;
  description: string;
}

const violation = (constraint: string, node: string, value: string, description: string): Violation => ({
  type: `constraints/${constraint}`,
  subject: `orgpolicy:${node}?configvalue=${encodeURIComponent(value)}`,
  description,
});

/** `in:us-locations` covers us-central1; `in:us-central1-locations` covers us-central1. */
function locationMatches(entry: string, region: string): boolean {
  if (!entry.startsWith('in:')) return entry === region;
  const group = entry.slice(3).replace(/-locations$/, '');
  return region === group || region.startsWith(`${group}-`);
}

/** `under:projects/P`, `under:folders/F`, `under:organizations/O` or `projects/P`, against the key's project. */
function projectMatches(world: World): (entry: string, project: string) => boolean {
  const canonical = (node: string) => {
    const id = /^projects\/(.+)$/.exec(node)?.[1];
    return id ? `projects/${findProject(world, id)?.id ?? id}` : node;
  };
  return (entry, project) => {
    const above = hierarchyOf(world, canonical(`projects/${project}`));
    const node = canonical(entry.replace(/^under:/, ''));
    return entry.startsWith('under:') ? above.includes(node) : above[0] === node;
  };
}

/** The job's settings the Cloud Run constraints read, in the constraints' own vocabulary. */
function settingsOf(job: Json) {
  const task = asJson(asJson(job.template).template);
  const vpc = asJson(task.vpcAccess);
  const hasVpc = str(vpc.connector) !== undefined || asArray(vpc.networkInterfaces).length > 0;
  // VpcAccess.egress defaults to PRIVATE_RANGES_ONLY when a VPC is set (Cloud Run v2 reference).
  const egress = hasVpc ? (str(vpc.egress) ?? 'PRIVATE_RANGES_ONLY') : undefined;
  const binauthz = asJson(job.binaryAuthorization);
  return {
    egress: egress ? egress.toLowerCase().replace(/_/g, '-') : undefined,
    binauthz: binauthz.useDefault === true ? 'default' : str(binauthz.policy),
    key: str(task.encryptionKey),
  };
}

/** Cloud Run's own org-policy checks on a job write. Throws HttpError 400 on a violation. */
export function checkJobOrgPolicies(ctx: Ctx, ref: JobRef, job: Json, legacy = false): void {
  if (!ref.project) return;
  const world = ctx.world;
  const node = `projects/${ref.project.id}`;
  const s = settingsOf(job);
  const out: Violation[] = [];
  if (!listAllows(world, node, 'gcp.resourceLocations', ref.location, locationMatches))
    out.push(
      violation('gcp.resourceLocations', node, ref.location, `Location ${ref.location} is not allowed.`),
    );
  if (!listAllows(world, node, 'run.allowedVPCEgress', s.egress))
    out.push(
      violation(
        'run.allowedVPCEgress',
        node,
        s.egress ?? '',
        `VPC egress setting ${s.egress ?? '(none)'} is not allowed.`,
      ),
    );
  if (!listAllows(world, node, 'run.allowedBinaryAuthorizationPolicies', s.binauthz))
    out.push(
      violation(
        'run.allowedBinaryAuthorizationPolicies',
        node,
        s.binauthz ?? '',
        `Binary Authorization policy ${s.binauthz ?? '(none)'} is not allowed.`,
      ),
    );
  if (!s.key && !listAllows(world, node, 'gcp.restrictNonCmekServices', 'run.googleapis.com'))
    out.push(
      violation(
        'gcp.restrictNonCmekServices',
        node,
        'run.googleapis.com',
        'A customer-managed encryption key is required for run.googleapis.com resources.',
      ),
    );
  const keyProject = s.key ? /^projects\/([^/]+)/.exec(s.key)?.[1] : undefined;
  if (
    keyProject &&
    !listAllows(world, node, 'gcp.restrictCmekCryptoKeyProjects', keyProject, projectMatches(world))
  )
    out.push(
      violation(
        'gcp.restrictCmekCryptoKeyProjects',
        node,
        `projects/${keyProject}`,
        `Crypto keys from project ${keyProject} are not allowed.`,
      ),
    );
  if (out.length === 0) return;
  throw new HttpError(
    400,
    'FAILED_PRECONDITION',
    'Precondition check failed.',
    [{ '@type': 'type.googleapis.com/google.rpc.PreconditionFailure', violations: out }],
    legacy,
  );
}

/** The Cloud Identity customer a member belongs to, when it belongs to one in this world. */
function customerOf(world: World, member: string): string | undefined {
  const email = member.slice(member.indexOf(':') + 1);
  const orgOfProject = (idOrNumber: string | undefined) => {
    const p = idOrNumber ? findProject(world, idOrNumber) : undefined;
    const top = p ? hierarchyOf(world, `projects/${p.id}`).at(-1) : undefined;
    return top?.startsWith('organizations/') ? top.slice('organizations/'.length) : undefined;
  };
  let org: string | undefined;
  if (member.startsWith('serviceAccount:')) {
    // A project's own accounts belong to its organization; Google's service agents
    // (serverless-robot-prod, gcp-sa-*, system.gserviceaccount.com) belong to Google.
    const project = /@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
    const compute = /^(\d+)-compute@developer\.gserviceaccount\.com$/.exec(email)?.[1];
    org = orgOfProject(project ?? compute);
  } else if (/^(user|group|domain):/.test(member)) {
    const domain = email.slice(email.indexOf('@') + 1);
    org = /^org-(\d+)\.example\.com$/.exec(domain)?.[1];
  } else if (member.startsWith('principal')) {
    org = orgOfProject(/\/projects\/(\d+)\//.exec(member)?.[1]);
  }
  return org ? `C0${org.slice(-7)}` : undefined;
}

/** setIamPolicy: refuse members the policy adds that iam.allowedPolicyMemberDomains does not permit. */
export function checkMemberDomains(ctx: Ctx, resource: string, current: Policy, body: unknown): void {
  const world = ctx.world;
  const node = hierarchyOf(world, resource)[0];
  if (!node) return;
  const had = new Set((current.bindings ?? []).flatMap((b) => b.members));
  const incoming = asArray(asJson(asJson(body).policy).bindings).flatMap((b) =>
    Array.isArray(b.members) ? b.members.map(String) : [],
  );
  const refused = [...new Set(incoming.filter((m) => !had.has(m)))].filter(
    (m) => !listAllows(world, node, 'iam.allowedPolicyMemberDomains', customerOf(world, m) ?? '\u0000none'),
  );
  if (refused.length === 0) return;
  throw new HttpError(
    400,
    'FAILED_PRECONDITION',
    'One or more users named in the policy do not belong to a permitted customer.',
    [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: refused.map((m) => {
          const email = m.slice(m.indexOf(':') + 1);
          return violation(
            'iam.allowedPolicyMemberDomains',
            node,
            email,
            `User ${email} is not in permitted organization.`,
          );
        }),
      },
    ],
  );
}
