// IPv6 address and prefix arithmetic, beside cidr.ts (IPv4): 128-bit values as bigint. Pure.
// Addresses are written as RFC 5952 says (lower case, the longest run of zero groups as "::").

import * as ip4 from './cidr.ts';

export interface Cidr6 {
  readonly network: bigint;
  readonly prefix: number;
}

const BITS = 128n;
const ALL = (1n << BITS) - 1n;

export function parseIp6(text: string): bigint | undefined {
  const t = text.trim().toLowerCase();
  if (!/^[0-9a-f:]+$/.test(t) || t.includes(':::')) return undefined;
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

export function formatIp6(value: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups becomes "::" (the first of equal runs).
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best.at < 0) return hex(g);
  return `${hex(g.slice(0, best.at))}::${hex(g.slice(best.at + best.len))}`;
}

export function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << (BITS - BigInt(prefix))) & ALL;
}

/** Parses "2001:db8::/64"; rejects host bits set, as cidr.ts does for IPv4. */
export function parseCidr6(text: string): Cidr6 | { error: string } {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length > 0 || addr === undefined || len === undefined || !/^\d{1,3}$/.test(len)) {
    return { error: `"${text}" is not an IPv6 CIDR of the form 2001:db8::/64` };
  }
  const ip = parseIp6(addr);
  const prefix = Number(len);
  if (ip === undefined || prefix > 128) return { error: `"${text}" is not a valid IPv6 CIDR` };
  const network = ip & mask6(prefix);
  if (network !== ip) return { error: `"${text}" has host bits set; the network is ${formatIp6(network)}/${prefix}` };
  return { network, prefix };
}

export function cidr6(text: string): Cidr6 {
  const c = parseCidr6(text);
  if ('error' in c) throw new Error(c.error);
  return c;
}

export function formatCidr6(c: Cidr6): string {
  return `${formatIp6(c.network)}/${c.prefix}`;
}

export function contains6(outer: Cidr6, ip: bigint): boolean {
  return (ip & mask6(outer.prefix)) === outer.network;
}

export function containsCidr6(outer: Cidr6, inner: Cidr6): boolean {
  return inner.prefix >= outer.prefix && contains6(outer, inner.network);
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  return containsCidr6(a, b) || containsCidr6(b, a);
}

/** The n-th address of the prefix (1-based; IPv6 has no broadcast, only the last address is left out). */
export function host6(c: Cidr6, n: number): bigint | undefined {
  const last = c.network | (~mask6(c.prefix) & ALL);
  const ip = c.network + BigInt(n);
  if (n < 1 || ip >= last) return undefined;
  return ip;
}

/** The index-th block of length newPrefix inside c, or undefined when c has fewer blocks. */
export function subnet6(c: Cidr6, newPrefix: number, index: number): Cidr6 | undefined {
  if (newPrefix < c.prefix || newPrefix > 128 || index < 0) return undefined;
  if (BigInt(index) >= 1n << BigInt(newPrefix - c.prefix)) return undefined;
  return { network: c.network + (BigInt(index) << (BITS - BigInt(newPrefix))), prefix: newPrefix };
}

/** How many blocks of newPrefix c holds, capped (a /48 holds 2^16 /64s; nobody needs 2^64). */
export function blockCount6(c: Cidr6, newPrefix: number): number {
  if (newPrefix < c.prefix) return 0;
  return Number((1n << BigInt(Math.min(newPrefix - c.prefix, 52))));
}

/** The documentation prefix (RFC 3849): the emulated internet's IPv6 networks must lie inside it. */
export const DOCUMENTATION6 = cidr6('2001:db8::/32');

export const isIp6 = (text: string): boolean => parseIp6(text) !== undefined;

/** Whether a prefix of either family ("10.244.0.0/24", "2001:db8::/64") holds an address of that family. */
export function coversAddress(prefix: string, address: string): boolean {
  if (prefix.includes(':') !== address.includes(':')) return false;
  if (!prefix.includes(':')) {
    const c = ip4.parseCidr(prefix);
    const a = ip4.parseIp(address);
    return !('error' in c) && a !== undefined && ip4.contains(c, a);
  }
  const c = parseCidr6(prefix);
  const a = parseIp6(address);
  return !('error' in c) && a !== undefined && contains6(c, a);
}
