/**
 * Rules for `gitops.targetRevision`: a production environment deploys a release (a tag or a
 * commit SHA someone chose), never a moving branch, where every push would reach the cluster
 * without a release decision. A branch is allowed only by the named acceptance
 * `gitops.allowTrackingBranch`, whose reason POSTURE.md shows.
 */
import type { EnvironmentConfig, GitOpsConfig } from '../schema';
import type { Report } from './report';

/** Revisions that are branches in every repository this generator is used with. */
export const ALWAYS_TRACKING = ['HEAD', 'main', 'master'] as const;

/** `*` in a configured name matches any characters; everything else is literal. */
function globMatches(pattern: string, revision: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(revision);
}

/** Whether `targetRevision` names a branch: the fixed names, any `refs/heads/`, or a configured name. */
export function isTrackingBranch(gitops: Pick<GitOpsConfig, 'targetRevision' | 'trackingBranches'>): boolean {
  const revision = gitops.targetRevision;
  if ((ALWAYS_TRACKING as readonly string[]).includes(revision) || revision.startsWith('refs/heads/')) return true;
  return gitops.trackingBranches.some((pattern) => globMatches(pattern, revision));
}

export function checkGitOps(env: EnvironmentConfig, report: Report): void {
  const { gitops } = env;
  const tracking = isTrackingBranch(gitops);
  if (gitops.allowTrackingBranch && !tracking) {
    report('/gitops/allowTrackingBranch', 'no acceptance while targetRevision is not a tracking branch (remove the stale gitops.allowTrackingBranch)', `targetRevision ${gitops.targetRevision}`);
  }
  if (env.profile === 'production' && tracking && !gitops.allowTrackingBranch) {
    report('/gitops/targetRevision', 'a release tag such as v0.1.0 or a 40-hex commit SHA (profile production refuses tracking branches; tag a release as in docs/argocd.md, or accept the risk in gitops.allowTrackingBranch.reason)', gitops.targetRevision);
  }
}
