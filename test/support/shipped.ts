// The environments shipped in config/environments/, in file-name order: tests that go over every
// shipped environment name them from here, so adding one is a one-line change.
export const SHIPPED_ENVIRONMENTS = ['aks-cvm', 'azure-peer-pods', 'azure-tdx', 'azure-tdx-lab', 'bare-metal', 'coco-dev'] as const;

/** The shipped environments with Azure infrastructure (a Terraform stack each). */
export const SHIPPED_STACKS = ['aks-cvm', 'azure-peer-pods', 'azure-tdx', 'azure-tdx-lab'] as const;

/** "aks-cvm, azure-peer-pods, ...", as the CLIs list them in messages. */
export const SHIPPED_LIST = SHIPPED_ENVIRONMENTS.join(', ');
