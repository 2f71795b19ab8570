/**
 * `acceptUnsupportedVersions`: the one way a production environment may run a version past
 * upstream support or below a known-CVE floor (src/shared/support.ts). Each entry names the exact
 * component and version, so a later bump never inherits the acceptance, and carries a reason that
 * POSTURE.md shows. An entry that matches nothing in use is refused as stale.
 */
import { Type } from '@sinclair/typebox';
import { EXPECTED_KEYWORD, Obj, StringEnum } from '../schema-helpers';

export const AcceptUnsupportedVersions = Type.Array(
  Obj(
    {
      component: StringEnum(['kubernetes', 'aks', 'containerd', 'runc', 'cilium'] as const, { description: 'kubernetes: infrastructure.tdx.versions.kubernetes; aks: infrastructure.aks.kubernetesVersion; the others: infrastructure.tdx.versions.<component>.' }),
      version: Type.String({ pattern: '^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$', [EXPECTED_KEYWORD]: 'the exact version in use, such as 1.7.30', description: 'The exact version the environment sets.' }),
      reason: Type.String({ minLength: 10, maxLength: 500, description: 'Why this risk is accepted, and until when; shown in POSTURE.md.' }),
    },
    { description: 'One accepted risk: this exact version of this component, in production, past support or below a CVE floor.' },
  ),
  { default: [], description: 'RISK ACCEPTANCE: versions past upstream support or with known CVEs that this production environment runs anyway. Empty by default; every entry is listed in POSTURE.md.' },
);
