// Existence and state of what a job connects to, one GET each: a Cloud SQL instance (Cloud SQL
// Admin v1), a Serverless VPC Access connector (v1), an API's state in a project (Service
// Usage v1). Called through the auth client: none of these packages is worth bundling for a GET.
import type { ApiContext } from './clients.ts';
import { pathOf, rest } from './rest.ts';

export interface SqlInstance {
  name?: string;
  project?: string;
  region?: string;
  connectionName?: string;
  state?: string;
}

export interface ServiceState {
  name?: string;
  /** ENABLED | DISABLED | STATE_UNSPECIFIED */
  state?: string;
}

export function createLookupClient(ctx: ApiContext) {
  return {
    /** projects/P/instances/I */
    sqlInstance: (name: string) => rest<SqlInstance>(ctx, 'sqladmin', `v1/${pathOf(name)}`),
    /** projects/P/locations/L/connectors/C */
    connector: (name: string) => rest<Record<string, unknown>>(ctx, 'vpcaccess', `v1/${pathOf(name)}`),
    /** projects/P/services/S */
    service: (name: string) => rest<ServiceState>(ctx, 'serviceusage', `v1/${pathOf(name)}`),
  };
}
