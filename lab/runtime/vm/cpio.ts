// A newc ("070701") cpio writer, enough for a Linux initramfs: directories, files, symlinks and
// character devices. Pure: the bytes depend only on the entries.
export interface CpioEntry {
  path: string; // without a leading slash
  type: 'dir' | 'file' | 'symlink' | 'chardev';
  mode?: number; // permission bits
  data?: Buffer | string; // file content or symlink target
  major?: number;
  minor?: number;
}

const TYPE_BITS = { dir: 0o040000, file: 0o100000, symlink: 0o120000, chardev: 0o020000 } as const;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(len: number): Buffer {
  return Buffer.alloc((4 - (len % 4)) % 4);
}

function record(ino: number, mode: number, name: string, data: Buffer, rdev: [number, number] = [0, 0]): Buffer {
  const nameBuf = Buffer.from(`${name}\0`);
  const header = '070701' + [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBuf.length, 0].map(hex8).join('');
  const head = Buffer.concat([Buffer.from(header), nameBuf]);
  return Buffer.concat([head, pad4(head.length), data, pad4(data.length)]);
}

export function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts = entries.map((e, i) => {
    const data = e.type === 'file' || e.type === 'symlink' ? Buffer.from(e.data ?? '') : Buffer.alloc(0);
    const perm = e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644);
    return record(i + 1, TYPE_BITS[e.type] | perm, e.path.replace(/^\/+/, ''), data, e.type === 'chardev' ? [e.major ?? 0, e.minor ?? 0] : [0, 0]);
  });
  return Buffer.concat([...parts, record(0, 0, 'TRAILER!!!', Buffer.alloc(0))]);
}
