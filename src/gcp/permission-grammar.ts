// IAM permission names by their grammar: `service.resource.verb`, the resource and the verb in
// lower camel case (https://cloud.google.com/iam/docs/permissions-reference lists them so, e.g.
// `iam.serviceAccounts.actAs`, `run.jobs.runWithOverrides`). Messages quote them in varying case
// (`iam.serviceaccounts.actAs`), so the service may be any case and the canonical spelling is
// restored from a table. A dotted name that is part of a host, a URL, an e-mail or a longer
// dotted word (`run.googleapis.com/vpc-access-egress`, `gcloud.run.jobs.execute`,
// `google.rpc.ErrorInfo` inside a type URL) is never one.

// Nothing word-like, dotted, @, / or - may touch either end; the verb is not followed by `.x`.
const DOTTED =
  /(?<![\w.@/-])([a-zA-Z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9]*)(?![\w@/-]|\.\w)/g;
/** The strict form: lower-case service, lower camel resource and verb. */
const STRICT = /^[a-z][a-z0-9]*\.[a-z][a-zA-Z0-9]*\.[a-z][a-zA-Z0-9]*$/;
/** Host parts: a resource segment of googleapis/gserviceaccount/pkg, or a verb that is a top-level domain. */
const HOST =
  /^[^.]+\.(googleapis|gserviceaccount|pkg|cloudfunctions|appspot)\.|\.(com|net|org|dev|io|app|invalid|internal|local)$/i;

/** Canonical spelling of permissions messages quote in another letter case. */
const CANONICAL: Record<string, string> = Object.fromEntries(
  [
    'iam.serviceAccounts.actAs',
    'iam.serviceAccounts.getAccessToken',
    'iam.serviceAccounts.getOpenIdToken',
    'iam.serviceAccounts.get',
    'iam.serviceAccounts.getIamPolicy',
    'iam.serviceAccounts.setIamPolicy',
    'iam.serviceAccounts.implicitDelegation',
    'iam.serviceAccounts.signBlob',
    'iam.serviceAccounts.signJwt',
    'artifactregistry.repositories.downloadArtifacts',
    'run.jobs.getIamPolicy',
    'run.jobs.setIamPolicy',
    'run.jobs.runWithOverrides',
    'resourcemanager.projects.getIamPolicy',
    'resourcemanager.projects.setIamPolicy',
    'secretmanager.secrets.getIamPolicy',
    'secretmanager.secrets.setIamPolicy',
    'secretmanager.versions.access',
    'vpcaccess.connectors.use',
    'compute.subnetworks.use',
    'cloudsql.instances.connect',
    'cloudsql.instances.get',
    'serviceusage.services.use',
    'storage.objects.get',
    'storage.objects.list',
    'storage.buckets.get',
  ].map((p) => [p.toLowerCase(), p]),
);

export function canonicalPermission(p: string): string {
  return CANONICAL[p.toLowerCase()] ?? p;
}

/** True when `name` alone is a permission by the grammar (metadata values are checked the same way). */
export function isPermission(name: string): boolean {
  // gcloud names its commands the same way: (gcloud.run.deploy) is a command, not a permission.
  if (/^gcloud\./i.test(name)) return false;
  if (HOST.test(name) || !/^[a-zA-Z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9]*$/.test(name))
    return false;
  // Another letter case is accepted only for permissions known by name.
  return STRICT.test(name) || CANONICAL[name.toLowerCase()] !== undefined;
}

/** Every permission the text names, canonical spelling, in order of appearance. */
export function permissionsInText(text: string): string[] {
  const found: string[] = [];
  for (const m of text.replace(/'|"|`|\\/g, ' ').matchAll(DOTTED)) {
    const name = m[1];
    if (name && isPermission(name)) found.push(canonicalPermission(name));
  }
  return [...new Set(found)];
}
