/**
 * Node labels and taints shared by the Terraform bootstrap (kubelet --node-labels and
 * --register-with-taints in cloud-init) and the Kubernetes manifests that select on them.
 */

/** Worker nodes that run the guest-components installer (node-level image decryption). */
export const GUEST_COMPONENTS_NODE_LABEL = { key: 'coco.azure/guest-components', value: 'enabled' } as const;

/** The dedicated KBS confidential VM (seed 000 `kbs-server`), joined as a node for KBS only. */
export const KBS_NODE_LABEL = { key: 'coco.azure/role', value: 'kbs' } as const;

/** Keeps everything but KBS (and DaemonSets that tolerate it explicitly) off the KBS node. */
export const KBS_NODE_TAINT = { key: 'coco.azure/dedicated', value: 'kbs', effect: 'NoSchedule' } as const;

/** Nodes of the AKS confidential VM pool (set by the aks-cvm stack on the pool). */
export const AKS_CONFIDENTIAL_NODE_LABEL = { key: 'coco.azure/confidential-vm', value: 'true' } as const;
