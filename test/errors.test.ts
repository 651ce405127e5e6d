import { describe, expect, it } from 'vitest';
import { fromStatus, permissionFromText, toApiError } from '../src/gcp/errors.ts';

describe('permissionFromText', () => {
  it.each([
    [
      "Permission 'iam.serviceaccounts.actAs' denied on service account x@p.iam.gserviceaccount.com",
      'iam.serviceAccounts.actAs',
    ],
    [
      'Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "projects/p/locations/us/repositories/r"',
      'artifactregistry.repositories.downloadArtifacts',
    ],
    ['The caller does not have permission run.jobs.create.', 'run.jobs.create'],
    ['denied on service account 123-compute@developer.gserviceaccount.com (or it may not exist)', undefined],
    ['ERROR: (gcloud.run.jobs.execute) failed', undefined],
    ['Image us-docker.pkg.dev/p/r/app not found', undefined],
    [
      'service-1@serverless-robot-prod.iam.gserviceaccount.com needs iam.serviceAccounts.getAccessToken',
      'iam.serviceAccounts.getAccessToken',
    ],
  ])('%s -> %s', (text, expected) => {
    expect(permissionFromText(text)).toBe(expected);
  });
});

describe('toApiError', () => {
  it('reads a google.rpc.Status body with ErrorInfo from a gaxios-shaped error', () => {
    const err = toApiError({
      message: 'boom',
      response: {
        status: 403,
        data: {
          error: {
            code: 403,
            message: 'Permission denied',
            status: 'PERMISSION_DENIED',
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: 'IAM_PERMISSION_DENIED',
                domain: 'iam.googleapis.com',
                metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
              },
            ],
          },
        },
      },
    });
    expect(err).toMatchObject({
      httpStatus: 403,
      status: 'PERMISSION_DENIED',
      reason: 'IAM_PERMISSION_DENIED',
      permission: 'iam.serviceAccounts.getAccessToken',
    });
  });

  it('names gRPC codes of operation errors and reads OAuth-style STS errors', () => {
    expect(fromStatus({ code: 7, message: 'no' }).status).toBe('PERMISSION_DENIED');
    const sts = toApiError({
      response: { status: 400, data: { error: 'unauthorized_client', error_description: 'rejected' } },
    });
    expect(sts).toMatchObject({
      reason: 'unauthorized_client',
      message: 'rejected',
      status: 'INVALID_ARGUMENT',
    });
  });
});

describe('StepError', () => {
  it('says what was attempted, the status and the OAuth error code', async () => {
    const { StepError } = await import('../src/gcp/errors.ts');
    const e = new StepError('exchange the GitHub token', {
      response: {
        status: 400,
        data: { error: 'unauthorized_client', error_description: 'rejected by the attribute condition' },
      },
    });
    expect(e.message).toBe(
      'Failed to exchange the GitHub token: INVALID_ARGUMENT (HTTP 400) unauthorized_client: rejected by the attribute condition',
    );
  });
});
