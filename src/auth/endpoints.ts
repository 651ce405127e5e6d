// Where each Google API lives. The `universe` input picks the domain; the
// GHA_ENDPOINT_OVERRIDE_<api> convention of the google-github-actions family replaces an
// API's root URL entirely (tests point the action at the emulator this way).

export type GoogleApi =
  | 'sts'
  | 'iamcredentials'
  | 'iam'
  | 'run'
  | 'cloudresourcemanager'
  | 'artifactregistry'
  | 'secretmanager'
  | 'orgpolicy'
  | 'policytroubleshooter';

export type Env = Readonly<Record<string, string | undefined>>;

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Root URL (scheme, host, trailing slash) for an API, as googleapis' `rootUrl` takes it. */
export function apiRoot(api: GoogleApi, universe: string, env: Env = process.env): string {
  const override = env[`GHA_ENDPOINT_OVERRIDE_${api}`];
  if (override) return withSlash(override);
  return `https://${api}.${universe}/`;
}

/**
 * Cloud Run v1 (the Knative `namespaces` API `gcloud run jobs replace` uses) is only served
 * on regional hosts. An override wins as-is: an emulator serves every region on one host.
 */
export function runRegionalRoot(region: string, universe: string, env: Env = process.env): string {
  const override = env.GHA_ENDPOINT_OVERRIDE_run;
  if (override) return withSlash(override);
  return `https://${region}-run.${universe}/`;
}

/** STS token URL, as google-auth-library's external account config wants it. */
export function stsTokenUrl(universe: string, env: Env = process.env): string {
  return `${apiRoot('sts', universe, env)}v1/token`;
}
