// What every way of running the bundled action (the e2e tests, the benchmark) gives it the way
// the GitHub runner does: INPUT_* variables with action.yml defaults filled in, the OIDC token
// endpoint, and the Google APIs pointed at the emulator through GHA_ENDPOINT_OVERRIDE_<api>.
import { parse } from 'yaml';

/** Every Google API the action calls, as named in GHA_ENDPOINT_OVERRIDE_<api>. */
export const GOOGLE_APIS = [
  'sts',
  'iamcredentials',
  'iam',
  'run',
  'cloudresourcemanager',
  'artifactregistry',
  'secretmanager',
  'orgpolicy',
  'policytroubleshooter',
  'compute',
  'storage',
  'cloudkms',
  'sqladmin',
  'vpcaccess',
  'serviceusage',
  'logging',
  'cloudscheduler',
] as const;

/** Every Google API pointed at `url` (GHA_ENDPOINT_OVERRIDE_<api>, as the action reads them). */
export const endpointOverrides = (url: string): Record<string, string> =>
  Object.fromEntries(GOOGLE_APIS.map((api) => [`GHA_ENDPOINT_OVERRIDE_${api}`, url]));

/** Path (with its query) of the emulator's GitHub OIDC token endpoint; @actions/core appends `&audience=`. */
export const OIDC_PATH = '/_github/oidc/token?api-version=2.0';

/** action.yml input defaults, as the runner fills them in (expressions left out: only a runner evaluates those). */
export function actionDefaults(actionYml: string): Record<string, string> {
  const action = parse(actionYml) as { inputs?: Record<string, { default?: unknown }> };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    if (spec.default === undefined) continue;
    const value = String(spec.default);
    if (!value.includes('${{')) out[name] = value;
  }
  return out;
}

/** INPUT_<NAME> as the runner names it: upper case, spaces to underscores. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]),
  );
}
