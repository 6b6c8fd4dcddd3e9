// Minimal pcap reader: Ethernet (and Linux cooked) frames carrying IPv4 or IPv6, enough to tell
// which addresses and ports crossed a link and how many bytes were on the wire.
import { formatIp6 } from '../topology/cidr6.ts';
import type { CapturedPacket } from './lab.ts';

const ip = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const ip6 = (b: Buffer, o: number) => formatIp6(BigInt(`0x${b.subarray(o, o + 16).toString('hex')}`));

export function parsePcap(buf: Buffer): CapturedPacket[] {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a pcap file');
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20);
  const packets: CapturedPacket[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const caplen = u32(off + 8);
    const origlen = u32(off + 12);
    if (off + 16 + caplen > buf.length) break; // a record still being written (the capture was cut)
    const data = buf.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    let l3 = -1;
    let type = 0;
    if (linktype === 1 && data.length >= 14) {
      type = data.readUInt16BE(12);
      l3 = 14;
      if (type === 0x8100 && data.length >= 18) {
        type = data.readUInt16BE(16);
        l3 = 18;
      }
    } else if (linktype === 113 && data.length >= 16) {
      type = data.readUInt16BE(14);
      l3 = 16;
    }
    if (type === 0x86dd && l3 >= 0 && data.length >= l3 + 40) {
      // IPv6: a fixed 40-byte header; the next header is the transport (no extension headers in the lab).
      const next = data[l3 + 6]!;
      const pkt: CapturedPacket = {
        src: ip6(data, l3 + 8),
        dst: ip6(data, l3 + 24),
        protocol: next === 58 ? 'icmp' : next === 6 ? 'tcp' : next === 17 ? 'udp' : 'other',
        length: origlen,
      };
      if ((next === 6 || next === 17) && data.length >= l3 + 44) {
        pkt.srcPort = data.readUInt16BE(l3 + 40);
        pkt.dstPort = data.readUInt16BE(l3 + 42);
      }
      packets.push(pkt);
      continue;
    }
    if (type !== 0x0800) l3 = -1;
    if (l3 < 0 || data.length < l3 + 20) continue;
    const ihl = (data[l3]! & 0x0f) * 4;
    const proto = data[l3 + 9]!;
    const pkt: CapturedPacket = {
      src: ip(data, l3 + 12),
      dst: ip(data, l3 + 16),
      protocol: proto === 1 ? 'icmp' : proto === 6 ? 'tcp' : proto === 17 ? 'udp' : 'other',
      length: origlen,
    };
    if ((proto === 6 || proto === 17) && data.length >= l3 + ihl + 4) {
      pkt.srcPort = data.readUInt16BE(l3 + ihl);
      pkt.dstPort = data.readUInt16BE(l3 + ihl + 2);
    }
    packets.push(pkt);
  }
  return packets;
}
