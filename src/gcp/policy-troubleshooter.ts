// Policy Troubleshooter v3 (iam:troubleshoot): whether a principal other than the caller holds
// a permission on a resource, allow and deny policies both, as far as the caller may read
// them. There is no @googleapis package for v3, so the call goes through the auth client.
import type { AuthClient } from 'google-auth-library';
import { apiRoot } from '../auth/endpoints.ts';
import type { ApiContext } from './clients.ts';
import { CALL_OPTIONS } from './iam.ts';

export type OverallAccessState = 'CAN_ACCESS' | 'CANNOT_ACCESS' | 'UNKNOWN_INFO' | 'UNKNOWN_CONDITIONAL';
export type DenyAccessState =
  | 'DENY_ACCESS_STATE_DENIED'
  | 'DENY_ACCESS_STATE_NOT_DENIED'
  | 'DENY_ACCESS_STATE_UNKNOWN_CONDITIONAL'
  | 'DENY_ACCESS_STATE_UNKNOWN_INFO';
export type AllowAccessState =
  | 'ALLOW_ACCESS_STATE_GRANTED'
  | 'ALLOW_ACCESS_STATE_NOT_GRANTED'
  | 'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL'
  | 'ALLOW_ACCESS_STATE_UNKNOWN_INFO';

export interface Troubleshooting {
  overallAccessState?: OverallAccessState;
  allowPolicyExplanation?: { allowAccessState?: AllowAccessState };
  denyPolicyExplanation?: { denyAccessState?: DenyAccessState };
}

export interface AccessTuple {
  /** Email of a user or service account. */
  principal: string;
  /** //SERVICE.googleapis.com/NAME */
  fullResourceName: string;
  permission: string;
}

export function createTroubleshooterClient(o: ApiContext) {
  const url = `${apiRoot('policytroubleshooter', o.universe, o.env)}v3/iam:troubleshoot`;
  const auth = o.auth as AuthClient;
  return {
    async troubleshoot(tuple: AccessTuple, now: Date): Promise<Troubleshooting> {
      const res = await auth.request<Troubleshooting>({
        url,
        method: 'POST',
        data: {
          accessTuple: { ...tuple, conditionContext: { request: { receiveTime: now.toISOString() } } },
        },
        timeout: CALL_OPTIONS.timeout,
        retry: false,
      });
      return res.data;
    },
  };
}
