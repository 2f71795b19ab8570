/**
 * How clients reach the KBS. Node-level clients (the host's confidential-data-hub) cannot resolve
 * cluster DNS, so the KBS Service has a fixed ClusterIP from the config, reachable from every node
 * (kube-proxy and Cilium's socket load-balancer both serve host-network traffic to ClusterIPs).
 */
import type { EnvironmentConfig } from '../config/schema';

export const KBS_PORT = 8080;
export const KBS_SERVICE_NAME = 'kbs';

export interface KbsEndpointConfig {
  readonly namespace: string;
  /** Fixed ClusterIP of the KBS Service inside the cluster's service CIDR. */
  readonly serviceClusterIP: string;
  /** Plain HTTP (dev switch allowInsecureHttpKbs) instead of HTTPS. */
  readonly insecureHttp: boolean;
}

/** URL for node-level clients (CDH on the host), by fixed ClusterIP. */
export function kbsNodeUrl(kbs: KbsEndpointConfig): string {
  return `${kbs.insecureHttp ? 'http' : 'https'}://${kbs.serviceClusterIP}:${KBS_PORT}`;
}

/** URL for pods and Kata guests, by Service DNS name. */
export function kbsClusterUrl(kbs: KbsEndpointConfig): string {
  return `${kbs.insecureHttp ? 'http' : 'https'}://${KBS_SERVICE_NAME}.${kbs.namespace}.svc.cluster.local:${KBS_PORT}`;
}

/**
 * The KBS endpoint of an environment: HTTPS when `kbs.tlsSecretName` is set, plain HTTP otherwise
 * (the config rules allow that only with a stated reason or, in dev, devSwitches.allowInsecureHttpKbs).
 */
export function kbsEndpoint(config: Pick<EnvironmentConfig, 'kbs'>): KbsEndpointConfig {
  return { namespace: config.kbs.namespace, serviceClusterIP: config.kbs.serviceClusterIP, insecureHttp: config.kbs.tlsSecretName === undefined };
}
