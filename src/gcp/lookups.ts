// Existence and state of what a job connects to, one GET each: a Cloud SQL instance (Cloud SQL
// Admin v1), a Serverless VPC Access connector (v1), an API's state in a project (Service
// Usage v1). Called through the auth client: none of these packages is worth bundling for a GET.
import { type Decoder, optional, record, string, text } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { resourcePath, rest } from './rest.ts';

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

/** A named resource whose listed string fields, when present, are strings; every field kept. */
function named<T>(fields: string[]): Decoder<T & Record<string, unknown>> {
  return (v, at) => {
    const o = record(v, at);
    text(o.name, `${at}.name`);
    for (const k of fields) optional(o, k, string, at);
    return o as T & Record<string, unknown>;
  };
}

// Field names: DatabaseInstance (sqladmin v1), Connector (vpcaccess v1), GoogleApiServiceusageV1Service
// (serviceusage v1) in gcloud's generated_clients/apis/*_messages.py.
const SQL = {
  what: 'a DatabaseInstance',
  decode: named<SqlInstance>(['project', 'region', 'connectionName', 'state']),
};
const CONNECTOR = { what: 'a Connector', decode: named<object>(['state', 'network']) };
const SERVICE = { what: 'a Service', decode: named<ServiceState>(['state']) };

export function createLookupClient(ctx: ApiContext) {
  return {
    /** projects/P/instances/I */
    sqlInstance: (name: string) => rest(ctx, 'sqladmin', `v1/${resourcePath(name)}`, SQL),
    /** projects/P/locations/L/connectors/C */
    connector: (name: string) => rest(ctx, 'vpcaccess', `v1/${resourcePath(name)}`, CONNECTOR),
    /** projects/P/services/S */
    service: (name: string) => rest(ctx, 'serviceusage', `v1/${resourcePath(name)}`, SERVICE),
  };
}
