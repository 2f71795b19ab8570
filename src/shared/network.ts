/** IPv4 CIDR arithmetic shared by config validation and the Terraform stacks. */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
  readonly text: string;
}

/** Parses `a.b.c.d/n`; returns undefined for anything else. Host bits are kept in `base`. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, prefix, text };
}

function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** True when no host bits are set (10.0.1.0/24, not 10.0.1.5/24). */
export function isNetworkAddress(c: Cidr): boolean {
  return c.base % size(c) === 0;
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

/** True when the two ranges share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Sources that mean "the whole Internet" in NSG rules. */
export const INTERNET_SOURCES: readonly string[] = ['*', 'Internet', '0.0.0.0/0'];

/** Addresses Azure leaves for VMs in a subnet: it reserves the first four and the last. */
export function usableHosts(c: Cidr): number {
  return Math.max(0, size(c) - 5);
}

/** Dotted form of an unsigned 32-bit address. */
export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/**
 * The `index`-th address of a network (0 is the network address). Throws when it falls outside:
 * callers derive static IPs from validated config, so this is a programming error.
 */
export function addressAt(c: Cidr, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= size(c)) throw new Error(`address ${index} is outside ${c.text}`);
  return formatAddress(c.base - (c.base % size(c)) + index);
}

/** Like parseCidr, for values the config loader has already validated. */
export function mustParseCidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`not an IPv4 CIDR: ${text}`);
  return c;
}

/**
 * Whether `ip` lies in `subnet` and is not one of the five addresses Azure keeps in every subnet:
 * the network address, .1 (gateway), .2 and .3 (DNS) and the last.
 */
export function isAzureUsableAddress(ip: string, subnet: Cidr): boolean {
  const address = parseCidr(`${ip}/32`);
  if (!address || !contains(subnet, address)) return false;
  const offset = address.base - subnet.base;
  return offset >= 4 && offset < 2 ** (32 - subnet.prefix) - 1;
}

/**
 * Azure's first usable VM address in a subnet plus `offset` (x.x.x.4 is the first: .0-.3 are
 * reserved). Static node IPs make the API endpoint and the KBS address known at synth time.
 */
export function azureHostAddress(subnet: string, offset: number): string {
  return addressAt(mustParseCidr(subnet), 4 + offset);
}
