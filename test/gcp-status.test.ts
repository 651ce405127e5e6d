// google.rpc.Status decoding: every detail type from the JSON shapes the APIs send, and the
// permission grammar that never reads a host name or URL as a permission.
import { describe, expect, it } from 'vitest';
import { fromStatus, toApiError } from '../src/gcp/errors.ts';
import { isPermission, permissionsInText } from '../src/gcp/permission-grammar.ts';
import { constraintsOf, durationMs, parseDetails } from '../src/gcp/status.ts';

const T = 'type.googleapis.com/google.rpc.';

describe('parseDetails', () => {
  it('decodes each google.rpc detail type', () => {
    const d = parseDetails(
      [
        {
          '@type': `${T}ErrorInfo`,
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: { service: 'run.googleapis.com', consumer: 'projects/1', n: 3 },
        },
        {
          '@type': `${T}PreconditionFailure`,
          violations: [
            {
              type: 'constraints/iam.allowedPolicyMemberDomains',
              subject: 'orgpolicy:projects/p',
              description: 'One or more users named in the policy do not belong to a permitted customer.',
            },
          ],
        },
        {
          '@type': `${T}BadRequest`,
          fieldViolations: [{ field: 'job.template.template.timeout', description: 'must be at most 168h' }],
        },
        {
          '@type': `${T}QuotaFailure`,
          violations: [
            {
              subject: 'projects/p',
              description: 'GPU quota',
              quotaMetric: 'run.googleapis.com/nvidia_l4_gpu_allocation',
              quotaDimensions: { region: 'us-central1' },
            },
          ],
        },
        {
          '@type': `${T}ResourceInfo`,
          resourceType: 'secretmanager.googleapis.com/Secret',
          resourceName: 'projects/p/secrets/s',
          description: 'not found',
        },
        {
          '@type': `${T}Help`,
          links: [
            {
              description: 'Enable it',
              url: 'https://console.developers.google.com/apis/api/run.googleapis.com/overview?project=1',
            },
          ],
        },
        { '@type': `${T}RetryInfo`, retryDelay: '1.5s' },
        { '@type': `${T}LocalizedMessage`, locale: 'en-US', message: 'Cloud Run Admin API is disabled' },
        { '@type': `${T}DebugInfo`, detail: 'x' },
        'not a record',
      ],
      [{ domain: 'global', reason: 'forbidden', message: 'Forbidden' }],
    );
    expect(d.errorInfo).toEqual([
      {
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: { service: 'run.googleapis.com', consumer: 'projects/1' },
      },
    ]);
    expect(constraintsOf(d)).toEqual(['iam.allowedPolicyMemberDomains']);
    expect(d.fieldViolations[0]?.field).toBe('job.template.template.timeout');
    expect(d.quotaViolations[0]).toMatchObject({
      quotaMetric: 'run.googleapis.com/nvidia_l4_gpu_allocation',
      dimensions: { region: 'us-central1' },
    });
    expect(d.resourceInfo[0]?.resourceName).toBe('projects/p/secrets/s');
    expect(d.helpLinks[0]?.url).toContain('console.developers.google.com');
    expect(d.retryDelayMs).toBe(1500);
    expect(d.localizedMessages).toEqual(['Cloud Run Admin API is disabled']);
    expect(d.legacy).toEqual([{ domain: 'global', reason: 'forbidden', message: 'Forbidden' }]);
    expect(d.other).toHaveLength(1);
  });

  it('reads Durations in both JSON forms and refuses others', () => {
    expect(durationMs('3s')).toBe(3000);
    expect(durationMs({ seconds: '2', nanos: 500_000_000 })).toBe(2500);
    expect(durationMs('soon')).toBeUndefined();
  });

  it('feeds ApiError: reason, domain, metadata, RetryInfo, details', () => {
    const api = toApiError({
      response: {
        status: 429,
        data: {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            message: 'Quota exceeded',
            details: [
              { '@type': `${T}RetryInfo`, retryDelay: '30s' },
              { '@type': `${T}QuotaFailure`, violations: [{ subject: 'project', description: 'd' }] },
            ],
          },
        },
      },
    });
    expect(api.retryAfterMs).toBe(30_000);
    expect(api.details?.quotaViolations).toHaveLength(1);
    // A Retry-After header wins over RetryInfo.
    const header = toApiError({
      response: {
        status: 429,
        headers: { 'retry-after': '5' },
        data: { error: { code: 429, details: [{ '@type': `${T}RetryInfo`, retryDelay: '30s' }] } },
      },
    });
    expect(header.retryAfterMs).toBe(5000);
  });

  it('takes a metadata permission only when it has the permission grammar', () => {
    expect(
      fromStatus({
        code: 7,
        message: 'x',
        details: [{ '@type': `${T}ErrorInfo`, metadata: { permission: 'run.googleapis.com' } }],
      }).permission,
    ).toBeUndefined();
    expect(
      fromStatus({
        code: 7,
        message: 'x',
        details: [{ '@type': `${T}ErrorInfo`, metadata: { permission: 'run.jobs.runWithOverrides' } }],
      }).permission,
    ).toBe('run.jobs.runWithOverrides');
  });
});

describe('permission grammar', () => {
  it.each([
    ['Constraint constraints/run.allowedVPCEgress violated for run.googleapis.com/vpc-access-egress', []],
    ['see https://run.googleapis.com/v2/projects/p', []],
    ['type.googleapis.com/google.rpc.ErrorInfo', []],
    ['(gcloud.run.jobs.execute) failed', []],
    ['us-docker.pkg.dev/p/r/app and docker.pkg.dev', []],
    ['service-1@serverless-robot-prod.iam.gserviceaccount.com', []],
    ['java.lang.RuntimeException at com.example.Main', []],
    ["Permission 'iam.serviceaccounts.actAs' denied", ['iam.serviceAccounts.actAs']],
    [
      'lacks IAM.serviceAccounts.actAs and run.jobs.runWithOverrides.',
      ['iam.serviceAccounts.actAs', 'run.jobs.runWithOverrides'],
    ],
    ['needs vpcaccess.connectors.use on the connector', ['vpcaccess.connectors.use']],
  ])('%s', (text, expected) => {
    expect(permissionsInText(text)).toEqual(expected);
  });

  it('rejects hosts in a bare name', () => {
    expect(isPermission('run.googleapis.com')).toBe(false);
    expect(isPermission('cloudsql.instances.connect')).toBe(true);
  });
});
