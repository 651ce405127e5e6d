// Something the call names does not exist: Cloud Run v1's namespace (the project), a service
// account, or the image. Called by classify.ts once no refusal explained the failure.
import type { Finding } from '../model.ts';
import {
  imageIn,
  jobImage,
  jobProject,
  jobRepository,
  projectOfServiceAccount,
  type ReadFailure,
  repositoryIn,
} from './facts.ts';
import { imageNotFound, serviceAccountMissing } from './remedies-missing.ts';
import { namespaceNotFound } from './remedies-run.ts';

/** `named`: the accounts the error names other than service agents. */
export function classifyMissing(failure: ReadFailure, status: string, named: string[]): Finding | undefined {
  const { ctx, text, evidence } = failure;
  const plan = ctx.plan;
  const missing =
    status === 'NOT_FOUND' ||
    /\bnot found\b|does not exist|manifest unknown|MANIFEST_UNKNOWN|NAME_UNKNOWN/i.test(text);
  // Cloud Run v1 without the namespace: gcloud names it, the API only says "Requested entity".
  const namespace = /Namespaces? instance \[([^\]]+)\] not found/i.exec(text)?.[1];
  const v1Write = /\(v1\) in ([^/\s]+)\/([a-z0-9-]+)/.exec(ctx.attempting ?? '');
  if (namespace || (missing && v1Write && /Requested entity was not found/i.test(text))) {
    return namespaceNotFound({
      evidence,
      namespace: namespace ?? v1Write?.[1] ?? jobProject(ctx),
      region: v1Write?.[2] ?? ctx.plan?.region ?? ctx.config?.region,
    });
  }
  if (missing && /service ?account/i.test(text) && !/\bimage\b/i.test(text)) {
    const sa = named[0] ?? plan?.serviceAccount;
    return serviceAccountMissing({
      evidence,
      serviceAccount: sa,
      saProject: sa ? projectOfServiceAccount(sa, plan) : undefined,
    });
  }
  if (missing && /\bimage\b|manifest|docker\.pkg\.dev|gcr\.io/i.test(text))
    return imageNotFound({
      evidence,
      image: imageIn(text) ?? jobImage(ctx),
      repo: repositoryIn(text) ?? jobRepository(ctx),
    });
  return undefined;
}
