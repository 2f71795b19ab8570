/** `gitops`: how Argo CD finds and syncs the rendered bundle. */
import { Type } from '@sinclair/typebox';
import { EXPECTED_KEYWORD, K8sName, Obj } from '../schema-helpers';

export const GitOps = Obj(
  {
    repoURL: Type.String({ pattern: '^(https://|ssh://|git@)\\S+$', [EXPECTED_KEYWORD]: 'a git URL (https://, ssh:// or git@)', description: 'Git repository Argo CD syncs `dist/` from.' }),
    targetRevision: Type.String({
      minLength: 1,
      default: 'main',
      description: 'Branch, tag or commit Argo CD tracks. Profile production refuses tracking branches (HEAD, main, master, refs/heads/..., and gitops.trackingBranches): set a release tag such as v0.1.0 or a 40-hex commit SHA (docs/argocd.md).',
    }),
    trackingBranches: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
      default: [],
      description: 'Further branch names of repoURL that profile production refuses as targetRevision, besides HEAD, main, master and refs/heads/...; "*" matches any characters (e.g. develop, release/*).',
    }),
    allowTrackingBranch: Type.Optional(
      Obj(
        {
          reason: Type.String({ minLength: 10, maxLength: 500, description: 'Why this production environment follows a moving branch, and until when; shown in POSTURE.md.' }),
        },
        { description: 'RISK ACCEPTANCE: let a production environment track a branch, so every push to it deploys unreviewed of a release. Absent by default; refused as stale when targetRevision is not a tracking branch.' },
      ),
    ),
    argocdNamespace: K8sName('Namespace where Argo CD runs.', 'argocd'),
    destinationServer: Type.String({ pattern: '^https://\\S+$', default: 'https://kubernetes.default.svc', [EXPECTED_KEYWORD]: 'an https:// API server URL', description: 'Cluster the Applications deploy to.' }),
    automated: Type.Boolean({ default: true, description: 'Automated sync.' }),
    prune: Type.Boolean({ default: true, description: 'Delete objects removed from git (automated sync only).' }),
    selfHeal: Type.Boolean({ default: true, description: 'Revert changes made outside git (automated sync only).' }),
  },
  { description: 'Argo CD delivery.' },
);
