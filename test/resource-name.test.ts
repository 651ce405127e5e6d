// Resource names built from parts that no input validator saw (API answers, error messages):
// a traversal segment must be refused, never turned into a name, a grant or a command.
import { describe, expect, it } from 'vitest';
import { repositoryIn, secretIn } from '../src/diagnose/facts.ts';
import { diagnose } from '../src/diagnose/index.ts';
import { connectedFailure } from '../src/diagnose/remedies-connected.ts';
import { resourceName, safeResourceName, segmentProblem } from '../src/resource-name.ts';

const HOSTILE = ['a/../b', '..', '.', '%2F', 'a%2Fb', '', 'a b', 'a\\b', 'a?b', 'a#b', 'a\nb'];

describe('resourceName', () => {
  it('joins plain segments', () => {
    expect(resourceName`projects/${'my-project'}/secrets/${'db_password'}`).toBe(
      'projects/my-project/secrets/db_password',
    );
    expect(resourceName`projects/${'example.com:legacy-1'}`).toBe('projects/example.com:legacy-1');
  });

  it.each(HOSTILE)('refuses the segment %j', (part) => {
    expect(segmentProblem(part)).toBeDefined();
    expect(() => resourceName`projects/p-123456/secrets/${part}`).toThrow(
      /Refusing to build a resource name/,
    );
    expect(safeResourceName(`projects/${part}/secrets/s`)).toBe(false);
  });
});

describe('names quoted by error messages', () => {
  it('keeps a plain repository and secret', () => {
    expect(repositoryIn('on projects/p-1/locations/us/repositories/repo-1 denied')).toEqual({
      project: 'p-1',
      location: 'us',
      repository: 'repo-1',
    });
    expect(secretIn('projects/p-1/secrets/s1')).toEqual({ project: 'p-1', secret: 's1' });
  });

  it('refuses traversal segments', () => {
    expect(repositoryIn('on projects/p-1/locations/us/repositories/.. denied')).toBeUndefined();
    expect(repositoryIn('on projects/../locations/us/repositories/r denied')).toBeUndefined();
    expect(repositoryIn('us-docker.pkg.dev/../r/img:1')).toBeUndefined();
    expect(secretIn('projects/../secrets/s1')).toBeUndefined();
  });

  it('grants nothing on a subnetwork, connector or key whose name has a traversal or escaped slash', () => {
    const o = { evidence: 'x', agent: 'service-1@serverless-robot-prod.iam.gserviceaccount.com' };
    const ok = connectedFailure(
      "Permission 'compute.subnetworks.use' denied on projects/net-1/regions/us-central1/subnetworks/sub-1",
      o,
    );
    expect(ok?.grant?.resource).toBe('projects/net-1/regions/us-central1/subnetworks/sub-1');
    for (const bad of ['..', '%2F', 'a%2F..']) {
      const f = connectedFailure(
        `Permission 'compute.subnetworks.use' denied on projects/${bad}/regions/us-central1/subnetworks/sub-1`,
        o,
      );
      expect(f?.grant).toBeUndefined();
      const c = connectedFailure(
        `VPC connector projects/${bad}/locations/us-central1/connectors/c1 cannot be used: permission denied`,
        o,
      );
      expect(c?.grant).toBeUndefined();
    }
  });

  it('a SERVICE_DISABLED whose ErrorInfo names a traversal service or consumer names neither', () => {
    const message = 'Cloud Run Admin API has not been used in project 111 before or it is disabled.';
    const error = (service: string, consumer: string) =>
      Object.assign(new Error(message), {
        response: {
          status: 403,
          data: {
            error: {
              code: 403,
              status: 'PERMISSION_DENIED',
              message,
              details: [
                {
                  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                  reason: 'SERVICE_DISABLED',
                  domain: 'googleapis.com',
                  metadata: { service, consumer },
                },
              ],
            },
          },
        },
      });
    const ok = diagnose(error('run.googleapis.com', 'projects/111'), { stage: 'deploy' });
    expect(ok.resource).toBe('projects/111/services/run.googleapis.com');
    for (const bad of ['..', 'a/../b', '%2F']) {
      const f = diagnose(error(bad, `projects/${bad}`), { stage: 'deploy' });
      expect(f.check).toBe('api-disabled');
      expect(f.resource).not.toContain(bad);
      expect(f.command).not.toContain(bad);
    }
  });
});
