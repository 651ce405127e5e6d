// Policy Troubleshooter v3 (iam:troubleshoot): whether a principal other than the caller holds
// a permission on a resource, allow and deny policies both, as far as the caller may read
// them. There is no @googleapis package for v3, so the call goes through the auth client.
import { type Decoder, optional, record, text } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { IAM_CALL_TIMEOUT_MS } from './iam.ts';
import { rest } from './rest.ts';

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

// GoogleCloudPolicytroubleshooterIamV3TroubleshootIamPolicyResponse (gcloud's policytroubleshooter/v3 messages): the overall state
// is what the action decides on; the explanations' states are read when present.
const troubleshooting: Decoder<Troubleshooting> = (v, at) => {
  const o = record(v, at);
  text(o.overallAccessState, `${at}.overallAccessState`);
  const allow = optional(o, 'allowPolicyExplanation', record, at);
  if (allow) optional(allow, 'allowAccessState', text, `${at}.allowPolicyExplanation`);
  const deny = optional(o, 'denyPolicyExplanation', record, at);
  if (deny) optional(deny, 'denyAccessState', text, `${at}.denyPolicyExplanation`);
  return o as Troubleshooting;
};

export function createTroubleshooterClient(o: ApiContext) {
  return {
    troubleshoot: (tuple: AccessTuple, now: Date): Promise<Troubleshooting> =>
      rest(
        o,
        'policytroubleshooter',
        'v3/iam:troubleshoot',
        { what: 'a TroubleshootIamPolicyResponse', decode: troubleshooting },
        {
          method: 'POST',
          timeout: IAM_CALL_TIMEOUT_MS,
          body: {
            accessTuple: { ...tuple, conditionContext: { request: { receiveTime: now.toISOString() } } },
          },
        },
      ),
  };
}
