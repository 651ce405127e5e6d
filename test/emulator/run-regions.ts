// Where Cloud Run serves jobs, as the emulator's ground truth: the regions of
// https://cloud.google.com/run/docs/locations, plus the newer europe-north2 and
// northamerica-south1 (listed on Google's region pages since) so a test can show the action's
// built-in list being older than Google's. A job in any other location is answered the way
// Cloud Run answers it: 400 INVALID_ARGUMENT, field `region`, "Unsupported region X".
import { HttpError } from './contract.ts';

const REGIONS = new Set([
  ...['africa-south1', 'asia-east1', 'asia-east2', 'asia-northeast1', 'asia-northeast2', 'asia-northeast3'],
  ...['asia-south1', 'asia-south2', 'asia-southeast1', 'asia-southeast2', 'australia-southeast1'],
  ...['australia-southeast2', 'europe-central2', 'europe-north1', 'europe-north2', 'europe-southwest1'],
  ...['europe-west1', 'europe-west10', 'europe-west12', 'europe-west2', 'europe-west3', 'europe-west4'],
  ...['europe-west6', 'europe-west8', 'europe-west9', 'me-central1', 'me-central2', 'me-west1'],
  ...['northamerica-northeast1', 'northamerica-northeast2', 'northamerica-south1', 'southamerica-east1'],
  ...['southamerica-west1', 'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-south1', 'us-west1'],
  ...['us-west2', 'us-west3', 'us-west4'],
]);

/** Throw Cloud Run's answer for a location it does not serve ('-', every location, is valid). */
export function requireRegion(location: string): void {
  if (location === '-' || REGIONS.has(location)) return;
  const description = `Unsupported region ${location}`;
  throw new HttpError(400, 'INVALID_ARGUMENT', `region: ${description}`, [
    {
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'region', description }],
    },
  ]);
}
