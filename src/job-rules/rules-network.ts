// Where the job connects: a Serverless VPC Access connector and Direct VPC subnets live in
// the job's region, and a CMEK key is a full Cloud KMS key name whose location can serve it.
import { quote } from './names.ts';
import type { JobView } from './view.ts';
import { type Violation, violation } from './violation.ts';

export interface Where {
  region: string;
}

/**
 * GoogleCloudRunV2VpcAccess.connector: projects/P/locations/L/connectors/C, or a bare name
 * (the job's project and region). A connector serves the region it is in
 * (https://cloud.google.com/run/docs/configuring/vpc-connectors), so L must be the job's.
 */
const CONNECTOR = /^(?:projects\/[^/]+\/locations\/([^/]+)\/connectors\/)?[a-z](?:[-a-z0-9]{0,23}[a-z0-9])?$/;
const SUBNET_REGION = /(?:^|\/)regions\/([^/]+)\/subnetworks\//;
/** projects/P/locations/L/keyRings/R/cryptoKeys/K (GoogleCloudRunV2TaskTemplate.encryptionKey). */
const KMS_KEY =
  /^projects\/[a-z0-9.:-]+\/locations\/([a-z0-9-]+)\/keyRings\/[A-Za-z0-9_-]{1,63}\/cryptoKeys\/[A-Za-z0-9_-]{1,63}$/;
/** A single Cloud KMS region looks like a Cloud Run region; multi-regions (us, nam4, ...) and global do not. */
const SINGLE_REGION = /^[a-z]+(?:-[a-z]+)+\d+$/;

export function networkRules(view: JobView, where: Where): Violation[] {
  const out: Violation[] = [];
  if (view.connector) {
    const m = CONNECTOR.exec(view.connector.value);
    if (!m)
      out.push(
        violation(
          'connector-region',
          view.connector.at,
          `VPC connector must be a connector name or projects/PROJECT/locations/REGION/connectors/CONNECTOR, got ${quote(view.connector.value)}`,
        ),
      );
    else if (m[1] && m[1] !== where.region)
      out.push(
        violation(
          'connector-region',
          view.connector.at,
          `VPC connector must be in the job's region ${where.region}, got one in ${quote(m[1])}`,
        ),
      );
  }
  // Direct VPC egress uses a subnet of the job's region (https://cloud.google.com/run/docs/configuring/vpc-direct-vpc).
  for (const iface of view.interfaces) {
    const region = SUBNET_REGION.exec(iface.subnetwork ?? '')?.[1];
    if (region && region !== where.region)
      out.push(
        violation(
          'subnet-region',
          iface.at,
          `subnet must be in the job's region ${where.region}, got one in ${quote(region)}`,
        ),
      );
  }
  if (view.kmsKey) {
    const m = KMS_KEY.exec(view.kmsKey.value);
    // Key material of a regional key is confined to its region (https://cloud.google.com/kms/docs/locations):
    // a key in another single region cannot encrypt this job's image; multi-regions and global are left to Cloud Run.
    if (!m)
      out.push(
        violation(
          'kms-key',
          view.kmsKey.at,
          `CMEK key must be projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY, got ${quote(view.kmsKey.value)}`,
        ),
      );
    else if (m[1] && SINGLE_REGION.test(m[1]) && m[1] !== where.region)
      out.push(
        violation(
          'kms-key',
          view.kmsKey.at,
          `CMEK key must be in the job's region ${where.region} (or a multi-region or global location), got one in ${quote(m[1])}`,
        ),
      );
  }
  return out;
}
