import { Construct } from 'constructs';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';

export interface CustomRoleProps {
  /**
   * Role name, unique in the Entra ID tenant (Azure refuses a second role of the same name at any
   * scope), so it carries the environment and resource group.
   */
  readonly name: string;
  /** Terraform address of the definition (`azurerm_role_definition.<logicalId>`). */
  readonly logicalId: string;
  readonly description: string;
  /**
   * Where the definition lives and where it can be assigned: a subscription or resource group ID
   * that contains every scope it is assigned on.
   */
  readonly assignableScope: string;
  /** Exactly the control-plane actions granted: no wildcards, no data actions. */
  readonly actions: readonly string[];
}

/**
 * A least-privilege custom role: the built-in roles that would cover these actions (Virtual
 * Machine Contributor, Network Contributor, Reader) grant far more (every network resource type,
 * extensions, run-command). Assign it with `assign`, each assignment on the narrowest scope.
 */
export class CustomRole extends Construct {
  readonly definition: RoleDefinition;

  constructor(scope: Construct, id: string, props: CustomRoleProps) {
    super(scope, id);
    const wildcard = props.actions.filter((a) => a.includes('*'));
    if (wildcard.length > 0 || props.actions.length === 0) {
      throw new Error(`CustomRole ${props.name}: expected explicit actions without wildcards, got ${JSON.stringify(props.actions)}`);
    }
    this.definition = new RoleDefinition(this, 'Definition', {
      name: props.name,
      scope: props.assignableScope,
      description: props.description,
      permissions: [{ actions: [...props.actions], notActions: [], dataActions: [], notDataActions: [] }],
      assignableScopes: [props.assignableScope],
    });
    this.definition.overrideLogicalId(props.logicalId);
  }

  /**
   * Assigns the role to a managed identity on `scope` (inside the assignable scope).
   * `principalType` ServicePrincipal skips Entra ID's lookup of a principal created moments ago,
   * which fails while the new identity is still replicating.
   */
  assign(logicalId: string, scope: string, principalId: string): RoleAssignment {
    const a = new RoleAssignment(this, logicalId, { scope, roleDefinitionId: this.definition.roleDefinitionResourceId, principalId, principalType: 'ServicePrincipal' });
    a.overrideLogicalId(logicalId);
    return a;
  }
}
