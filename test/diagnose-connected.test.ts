// Cloud Run's service-agent failures on what a job connects to (a deploy's operation error, as
// the emulator words them after Cloud Run's other service-agent messages) become the finding the
// preflight row would: the service agent, the role, the narrowest resource, the command.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/index.ts';
import { PLAN } from './fixtures/errors/plan.ts';

const AGENT = 'service-123456789012@serverless-robot-prod.iam.gserviceaccount.com';
const SUBNET = 'projects/host/regions/us-central1/subnetworks/jobs';
const KEY = 'projects/keys/locations/us-central1/keyRings/ring/cryptoKeys/run';
const CONNECTOR = 'projects/net/locations/us-central1/connectors/egress';

const operationError = (code: number, message: string) =>
  Object.assign(new Error(message), {
    response: { status: code === 7 ? 403 : 400, data: { error: { code, message } } },
  });

describe('service-agent failures on subnetworks, connectors and keys', () => {
  it('a subnetwork: roles/compute.networkUser on the subnetwork, grantable', () => {
    const f = diagnose(
      operationError(
        7,
        `Cloud Run Service Agent ${AGENT} must have permission compute.subnetworks.use on subnetwork ${SUBNET} (or it may not exist). Grant it the Compute Network User role (roles/compute.networkUser) on the subnetwork.`,
      ),
      { stage: 'deploy', plan: PLAN, repository: 'acme/batch' },
    );
    expect(f).toMatchObject({
      check: 'agent-subnet',
      principal: `serviceAccount:${AGENT}`,
      role: 'roles/compute.networkUser',
      resource: SUBNET,
      subject: 'network',
      grant: { kind: 'subnetwork', resource: SUBNET },
      command: `gcloud compute networks subnets add-iam-policy-binding jobs --region=us-central1 --project=host --member=serviceAccount:${AGENT} --role=roles/compute.networkUser`,
    });
  });

  it('a connector: roles/vpcaccess.user on its project, command only', () => {
    const f = diagnose(
      operationError(
        9,
        `VPC connector ${CONNECTOR} does not exist, or Cloud Run does not have permission to use it. Grant the Cloud Run Service Agent ${AGENT} the Serverless VPC Access User role (roles/vpcaccess.user) on project net.`,
      ),
      { stage: 'deploy', plan: PLAN, repository: 'acme/batch' },
    );
    expect(f).toMatchObject({
      check: 'agent-connector',
      role: 'roles/vpcaccess.user',
      resource: 'projects/net',
    });
    expect(f.grant).toBeUndefined();
    expect(f.command).toContain('gcloud projects add-iam-policy-binding net');
  });

  it('a key: roles/cloudkms.cryptoKeyEncrypterDecrypter on the key', () => {
    const f = diagnose(
      operationError(
        7,
        `Cloud Run Service Agent ${AGENT} cannot use the customer-managed encryption key ${KEY}: Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '${KEY}' (or it may not exist).`,
      ),
      { stage: 'deploy', plan: PLAN, repository: 'acme/batch' },
    );
    expect(f).toMatchObject({
      check: 'agent-kms',
      permission: 'cloudkms.cryptoKeyVersions.useToEncrypt',
      resource: KEY,
      grant: { kind: 'cryptoKey', role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter' },
      subject: 'kms_key',
    });
  });
});
