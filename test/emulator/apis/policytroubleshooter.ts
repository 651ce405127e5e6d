// Policy Troubleshooter v3 (iam.troubleshoot): whether a principal holds a permission on a
// resource, explained as the allow verdict, the deny verdict and the overall state. As on
// Google, the answer only uses what the caller may read: allow policies it cannot get and
// deny policies it cannot list make the corresponding verdict UNKNOWN_INFO. Conditions are
// evaluated with the conditionContext the sender gave (request.receiveTime, resource); a grant
// that hinges on one it cannot evaluate is UNKNOWN_CONDITIONAL (troubleshoot-conditions.ts).
import type { Caller, Handler } from '../contract.ts';
import { HttpError } from '../contract.ts';
import { denyingPolicy, permissionFqdn } from '../deny.ts';
import { badRequest, isRecord, route } from '../http.ts';
import { allowedByPolicies, callerFor, hierarchyOf, policyHolders } from '../iam-engine.ts';
import { forService } from '../services.ts';
import { allowFromContext, contextEnv } from '../troubleshoot-conditions.ts';

const TROUBLESHOOT = /^\/v3\/iam:troubleshoot$/;

/** The permission that reads the allow policy attached to a resource name. */
function getIamPermission(name: string): string {
  if (/\/serviceAccounts\//.test(name)) return 'iam.serviceAccounts.getIamPolicy';
  if (/\/repositories\//.test(name)) return 'artifactregistry.repositories.getIamPolicy';
  if (/\/secrets\//.test(name)) return 'secretmanager.secrets.getIamPolicy';
  if (/\/jobs\//.test(name)) return 'run.jobs.getIamPolicy';
  if (name.startsWith('folders/')) return 'resourcemanager.folders.getIamPolicy';
  if (name.startsWith('organizations/')) return 'resourcemanager.organizations.getIamPolicy';
  return 'resourcemanager.projects.getIamPolicy';
}

function principalOf(email: string): string {
  return email.endsWith('.gserviceaccount.com') ? `serviceAccount:${email}` : `user:${email}`;
}

const troubleshoot: Handler = (req, ctx) => {
  if (!route(req, 'POST', TROUBLESHOOT)) return undefined;
  const sender = ctx.requireCaller();
  const tuple = isRecord(req.body) && isRecord(req.body.accessTuple) ? req.body.accessTuple : undefined;
  const principal = typeof tuple?.principal === 'string' ? tuple.principal : '';
  const full = typeof tuple?.fullResourceName === 'string' ? tuple.fullResourceName : '';
  const asked = typeof tuple?.permission === 'string' ? tuple.permission : '';
  // v2 form SERVICE.googleapis.com/RESOURCE.VERB -> the v1 form roles list.
  const v2 = /^([a-z0-9-]+)\.googleapis\.com\/([A-Za-z]+\.[A-Za-z]+)$/.exec(asked);
  const permission = v2 ? `${v2[1]}.${v2[2]}` : asked;
  if (!principal || !full.startsWith('//') || !permission) {
    throw badRequest('Request contains an invalid argument.');
  }
  const context = isRecord(tuple?.conditionContext) ? tuple.conditionContext : {};
  const receive = isRecord(context.request) ? context.request.receiveTime : undefined;
  // Without a receive time, conditions on request.time stay unknown (UNKNOWN_CONDITIONAL);
  // what does not hinge on them is judged now.
  const now =
    typeof receive === 'string' && !Number.isNaN(Date.parse(receive)) ? Date.parse(receive) : Date.now();
  const resource = full.replace(/^\/\/[^/]+\//, '');
  const who: Caller = callerFor(ctx.world, principalOf(principal));
  if (!/^[a-z0-9-]+\.[A-Za-z]+\.[A-Za-z]+$/.test(permission)) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `Invalid permission: ${asked}.`);
  }

  const readable = (perm: string, name: string) => ctx.can(perm, name, sender);
  // Group memberships are not visible to the sender here (Google checks them only for a
  // sender who may view the group's members): a grant only through a group stays unknown.
  const direct = { ...who, alsoMatches: [] };
  const noGroups = { ...ctx.world, groups: [] };
  // Conditions see only what the sender gave (troubleshoot-conditions.ts).
  const fromContext = allowFromContext(
    noGroups,
    direct,
    permission,
    resource,
    contextEnv(ctx.world, resource, context),
  );
  const allow = fromContext === 'true' && allowedByPolicies(noGroups, direct, permission, resource, now);
  const viaGroup =
    !allowedByPolicies(noGroups, direct, permission, resource, now) &&
    allowedByPolicies(ctx.world, who, permission, resource, now);
  const allowUnread =
    viaGroup || policyHolders(ctx.world, resource).some((n) => !readable(getIamPermission(n), n));
  const allowAccessState = allow
    ? 'ALLOW_ACCESS_STATE_GRANTED'
    : allowUnread
      ? 'ALLOW_ACCESS_STATE_UNKNOWN_INFO'
      : fromContext === 'unknown'
        ? 'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL'
        : 'ALLOW_ACCESS_STATE_NOT_GRANTED';
  const points = hierarchyOf(ctx.world, resource);
  const denyUnread = points.some(
    (p) => !readable('iam.denypolicies.list', p) || !readable('iam.denypolicies.get', p),
  );
  const denied = denyUnread ? undefined : denyingPolicy(ctx.world, who, permission, resource, now);
  const denyAccessState = denyUnread
    ? 'DENY_ACCESS_STATE_UNKNOWN_INFO'
    : denied
      ? 'DENY_ACCESS_STATE_DENIED'
      : 'DENY_ACCESS_STATE_NOT_DENIED';
  const overallAccessState =
    denyAccessState === 'DENY_ACCESS_STATE_DENIED' || allowAccessState === 'ALLOW_ACCESS_STATE_NOT_GRANTED'
      ? 'CANNOT_ACCESS'
      : allow && !denyUnread
        ? 'CAN_ACCESS'
        : allowAccessState === 'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL' && !denyUnread
          ? 'UNKNOWN_CONDITIONAL'
          : 'UNKNOWN_INFO';
  return {
    status: 200,
    body: {
      accessTuple: {
        principal,
        fullResourceName: full,
        permission: asked,
        permissionFqdn: permissionFqdn(permission),
        ...(Object.keys(context).length > 0 ? { conditionContext: context } : {}),
      },
      allowPolicyExplanation: { allowAccessState, relevance: 'HEURISTIC_RELEVANCE_NORMAL' },
      denyPolicyExplanation: {
        denyAccessState,
        permissionDeniable: true,
        relevance: denied ? 'HEURISTIC_RELEVANCE_HIGH' : 'HEURISTIC_RELEVANCE_NORMAL',
      },
      overallAccessState,
    },
  };
};

export const handlers: Handler[] = forService('policytroubleshooter.googleapis.com', [troubleshoot]);
