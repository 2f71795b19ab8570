/** `gitops`: how Argo CD finds and syncs the rendered bundle. */
import { Type } from '@sinclair/typebox';
import { EXPECTED_KEYWORD, K8sName, Obj } from '../schema-helpers';

export const GitOps = Obj(
  {
    repoURL: Type.String({ pattern: '^(https://|ssh://|git@)\\S+$', [EXPECTED_KEYWORD]: 'a git URL (https://, ssh:// or git@)', description: 'Git repository Argo CD syncs `dist/` from.' }),
    targetRevision: Type.String({ minLength: 1, default: 'main', description: 'Branch, tag or commit Argo CD tracks.' }),
    argocdNamespace: K8sName('Namespace where Argo CD runs.', 'argocd'),
    destinationServer: Type.String({ pattern: '^https://\\S+$', default: 'https://kubernetes.default.svc', [EXPECTED_KEYWORD]: 'an https:// API server URL', description: 'Cluster the Applications deploy to.' }),
    automated: Type.Boolean({ default: true, description: 'Automated sync.' }),
    prune: Type.Boolean({ default: true, description: 'Delete objects removed from git (automated sync only).' }),
    selfHeal: Type.Boolean({ default: true, description: 'Revert changes made outside git (automated sync only).' }),
  },
  { description: 'Argo CD delivery.' },
);

