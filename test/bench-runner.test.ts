// The environments the benchmark gives the action (as the runner would) and gcloud (as a client of the emulator).
import { describe, expect, it } from 'vitest';
import { deployArgs, gcloudEnv } from '../bench/gcloud.ts';
import { runnerEnv } from '../bench/runner.ts';
import { actionDefaults, GOOGLE_APIS, inputEnv } from './helpers/runner-env.ts';

describe('runner environment', () => {
  it('names inputs as the runner does', () => {
    expect(inputEnv({ project_id: 'p', 'dry run': 'true' })).toEqual({
      INPUT_PROJECT_ID: 'p',
      INPUT_DRY_RUN: 'true',
    });
  });

  it('fills action.yml defaults except expressions, which only a runner evaluates', () => {
    const yml =
      "inputs:\n  iam:\n    default: check\n  github_token:\n    default: '$" +
      "{{ github.token }}'\n  job: {}\n";
    expect(actionDefaults(yml)).toEqual({ iam: 'check' });
  });

  it('points every Google API and the OIDC endpoint at the emulator; inputs override defaults', () => {
    const files = { dir: '/tmp/x', output: '/tmp/x/out', summary: '/tmp/x/sum' };
    const env = runnerEnv('http://127.0.0.1:9', files, { iam: 'fix' });
    for (const api of GOOGLE_APIS) expect(env[`GHA_ENDPOINT_OVERRIDE_${api}`]).toBe('http://127.0.0.1:9/');
    expect(env.ACTIONS_ID_TOKEN_REQUEST_URL).toBe('http://127.0.0.1:9/_github/oidc/token?api-version=2.0');
    expect(env).toMatchObject({
      INPUT_IAM: 'fix',
      GITHUB_OUTPUT: '/tmp/x/out',
      GITHUB_STEP_SUMMARY: '/tmp/x/sum',
    });
  });
});

describe('gcloud environment', () => {
  it('uses a private config, the emulator as HTTP proxy, endpoint overrides and the issued token', () => {
    const env = gcloudEnv({ configDir: '/tmp/g', port: 4321, token: 'tok', project: 'p' });
    expect(env).toMatchObject({
      CLOUDSDK_CONFIG: '/tmp/g',
      CLOUDSDK_AUTH_ACCESS_TOKEN: 'tok',
      CLOUDSDK_CORE_PROJECT: 'p',
      CLOUDSDK_PROXY_TYPE: 'http',
      CLOUDSDK_PROXY_ADDRESS: '127.0.0.1',
      CLOUDSDK_PROXY_PORT: '4321',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN: 'http://emulator.invalid:4321/',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    });
  });

  it('deploys the same job settings the action gets from its inputs', () => {
    expect(
      deployArgs('j', {
        image: 'i',
        region: 'r',
        serviceAccount: 's',
        envVars: 'A=1',
        secrets: 'B=s:latest',
      }),
    ).toEqual([
      'run',
      'jobs',
      'deploy',
      'j',
      '--image=i',
      '--region=r',
      '--service-account=s',
      '--set-env-vars=A=1',
      '--set-secrets=B=s:latest',
      '--quiet',
    ]);
  });
});
