// IPv4 address and prefix arithmetic. Pure; everything the topology derives goes through here.

export interface Cidr {
  readonly network: number; // unsigned 32-bit network address
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIp(text: string): number | undefined {
  const m = IPV4.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

export function formatIp(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n"; rejects host bits set, so a typo like 10.0.0.1/24 is caught, not silently rounded. */
export function parseCidr(text: string): Cidr | { error: string } {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length > 0 || addr === undefined || len === undefined || !/^\d{1,2}$/.test(len)) {
    return { error: `"${text}" is not a CIDR of the form a.b.c.d/n` };
  }
  const ip = parseIp(addr);
  const prefix = Number(len);
  if (ip === undefined || prefix > 32) return { error: `"${text}" is not a valid IPv4 CIDR` };
  const network = (ip & mask(prefix)) >>> 0;
  if (network !== ip) {
    return { error: `"${text}" has host bits set; the network is ${formatIp(network)}/${prefix}` };
  }
  return { network, prefix };
}

export function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if ('error' in c) throw new Error(c.error);
  return c;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.network)}/${c.prefix}`;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function broadcast(c: Cidr): number {
  return (c.network + size(c) - 1) >>> 0;
}

export function contains(outer: Cidr, ip: number): boolean {
  return ((ip & mask(outer.prefix)) >>> 0) === outer.network;
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, inner.network);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

/** The n-th host address (1-based, as "router gets the first host"). */
export function host(c: Cidr, n: number): number | undefined {
  const ip = c.network + n;
  if (n < 1 || ip >= broadcast(c)) return undefined;
  return ip >>> 0;
}

/** The index-th block of length newPrefix inside c, or undefined when c has fewer blocks. */
export function subnet(c: Cidr, newPrefix: number, index: number): Cidr | undefined {
  if (newPrefix < c.prefix || newPrefix > 32) return undefined;
  const count = 2 ** (newPrefix - c.prefix);
  if (index < 0 || index >= count) return undefined;
  return { network: (c.network + index * 2 ** (32 - newPrefix)) >>> 0, prefix: newPrefix };
}

export function blockCount(c: Cidr, newPrefix: number): number {
  return newPrefix < c.prefix ? 0 : 2 ** (newPrefix - c.prefix);
}
