// Cloud SQL and VPC inputs: cloudsql_instances, network/subnet/network_tags (Direct VPC
// egress) or vpc_connector, vpc_egress. Names may be short (the job's project) or full
// resource names (a Shared VPC host project); that their regions are the job's is a rule of
// the job (src/job-rules/rules-network.ts), judged whichever source set them.
import type { JobFeatures } from '../model.ts';
import { type Bad, matching, splitList } from './lists.ts';

type Get = (name: string) => string;

const PROJECT = '(?:[a-z0-9.-]+\\.[a-z]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]';
const REGION = '[a-z]+(?:-[a-z]+)+\\d+';
/** Compute resource names (RFC 1035 labels). */
const NAME = '[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?';
const CLOUDSQL = new RegExp(`^(?:(${PROJECT}):(${REGION}):)?([a-z](?:[a-z0-9-]{0,96}[a-z0-9])?)$`);
const NETWORK = new RegExp(`^(?:${NAME}|projects/${PROJECT}/global/networks/${NAME})$`);
const SUBNET = new RegExp(`^(?:${NAME}|projects/${PROJECT}/regions/(${REGION})/subnetworks/${NAME})$`);
const TAG = new RegExp(`^${NAME}$`);
const CONNECTOR = new RegExp(
  `^(?:[a-z](?:[-a-z0-9]{0,23}[a-z0-9])?|projects/${PROJECT}/locations/(${REGION})/connectors/[a-z](?:[-a-z0-9]{0,23}[a-z0-9])?)$`,
);
const EGRESS: Record<string, NonNullable<JobFeatures['vpcEgress']>> = {
  'all-traffic': 'ALL_TRAFFIC',
  // gcloud still takes the deprecated spelling `all` for all-traffic.
  all: 'ALL_TRAFFIC',
  'private-ranges-only': 'PRIVATE_RANGES_ONLY',
};

export function parseNetwork(
  get: Get,
  /** Unused here: that a full name is in the job's region is judged on the job (src/job-rules/). */
  _region: string,
  bad: Bad,
  problem: (message: string) => void,
): Partial<JobFeatures> {
  const out: Partial<JobFeatures> = {};
  const instances = splitList(get('cloudsql_instances'));
  for (const instance of instances)
    if (!CLOUDSQL.test(instance))
      bad(
        'cloudsql_instances',
        "PROJECT:REGION:INSTANCE connection names (or INSTANCE, in the job's project and region)",
        instance,
      );
  if (instances.length) out.cloudSqlInstances = [...new Set(instances)];

  const network = matching(
    get('network'),
    NETWORK,
    bad,
    'network',
    'a VPC network name or projects/HOST_PROJECT/global/networks/NETWORK',
  );
  if (network) out.network = network;
  const subnet = get('subnet');
  if (subnet) {
    const m = SUBNET.exec(subnet);
    // Its region is the job's rule (src/job-rules/rules-network.ts), judged on the job for every source.
    if (!m) bad('subnet', 'a subnet name or projects/HOST_PROJECT/regions/REGION/subnetworks/SUBNET', subnet);
    else out.subnet = subnet;
  }
  const tags = splitList(get('network_tags'));
  for (const tag of tags)
    if (!TAG.test(tag))
      bad('network_tags', 'network tags (lowercase letters, digits, hyphens; a letter first)', tag);
  if (tags.length) out.networkTags = tags;

  const connector = get('vpc_connector');
  if (connector) {
    const m = CONNECTOR.exec(connector);
    if (!m)
      bad(
        'vpc_connector',
        'a connector name or projects/PROJECT/locations/REGION/connectors/CONNECTOR',
        connector,
      );
    else out.vpcConnector = connector;
  }
  if (connector && (network || subnet || tags.length))
    problem(
      'Inputs "vpc_connector" and "network"/"subnet"/"network_tags" conflict: a job uses either a VPC connector or Direct VPC egress; keep one',
    );

  const egress = get('vpc_egress');
  if (egress) {
    const value = EGRESS[egress];
    if (value) out.vpcEgress = value;
    else bad('vpc_egress', 'all-traffic or private-ranges-only', egress);
  }
  return out;
}
