/** Building blocks for the environment schema: closed objects, enums and patterns with readable errors. */
import { Type, type TSchema, type SchemaOptions } from '@sinclair/typebox';

/** Annotation keyword carrying a human description of a pattern, used in error messages. */
export const EXPECTED_KEYWORD = 'expected';

export interface Opts extends SchemaOptions {
  readonly [EXPECTED_KEYWORD]?: string;
}

/** A closed object: every object in the schema rejects unknown keys. */
export function Obj<P extends Record<string, TSchema>>(properties: P, options: Opts = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A closed object that may be omitted entirely; its own defaults still apply. */
export function Section<P extends Record<string, TSchema>>(properties: P, description: string) {
  return Obj(properties, { description, default: {} });
}

/** A string enum rendered as `{type: string, enum: [...]}` (better errors than anyOf of consts). */
export function StringEnum<T extends string>(values: readonly T[], options: Opts = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

const IPV4_CIDR = '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$';
export const Cidr = (description: string, def?: string) =>
  Type.String({ pattern: IPV4_CIDR, [EXPECTED_KEYWORD]: 'an IPv4 CIDR such as 10.0.0.0/16', description, ...(def ? { default: def } : {}) });

/** DNS-1123 label: Kubernetes namespace and most resource names. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
export const K8sName = (description: string, def?: string) =>
  Type.String({ pattern: DNS_LABEL, [EXPECTED_KEYWORD]: 'a DNS-1123 label (lowercase letters, digits, "-", at most 63 characters)', description, ...(def ? { default: def } : {}) });

export const Semver = (description: string, def: string) =>
  Type.String({ pattern: '^v?[0-9]+\\.[0-9]+\\.[0-9]+$', [EXPECTED_KEYWORD]: 'an exact version such as 1.7.30', description, default: def });

/** Name of an Azure VM size. The confidential-family check is semantic (see semantic.ts). */
export const VmSize = (description: string, def: string) =>
  Type.String({ pattern: '^Standard_[A-Za-z0-9_]+$', [EXPECTED_KEYWORD]: 'an Azure VM size such as Standard_DC2eds_v5', description, default: def });

export const Count = (description: string, def: number, max: number) => Type.Integer({ minimum: 1, maximum: max, description, default: def });

/** A component section: `enabled` and `namespace`, extended by the component's own fields. */
export function Component<P extends Record<string, TSchema>>(description: string, namespace: string, properties: P) {
  return Section({ enabled: Type.Boolean({ default: true, description: 'Render this component.' }), namespace: K8sName('Namespace of the component.', namespace), ...properties }, description);
}
