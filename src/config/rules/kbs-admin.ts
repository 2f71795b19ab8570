/**
 * Rules for `kbs.admin`: the two admin roles stay two. One role or one Secret for both would give
 * the token that uploads resources the power to rewrite the policies that release them.
 */
import type { EnvironmentConfig } from '../schema';
import type { Report } from './report';

export function checkKbsAdmin(env: EnvironmentConfig, report: Report): void {
  const admin = env.kbs.admin;
  if (admin.policyRole === admin.resourceRole) report('/kbs/admin/policyRole', `a role other than kbs.admin.resourceRole (least privilege: policies and resources are separate roles)`, admin.policyRole);
  if (admin.policyTokenSecretName === admin.resourceTokenSecretName) {
    report('/kbs/admin/policyTokenSecretName', 'a Secret other than kbs.admin.resourceTokenSecretName (each role has its own token)', admin.policyTokenSecretName);
  }
}
