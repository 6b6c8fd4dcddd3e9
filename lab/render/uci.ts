// OpenWRT UCI text: "config <type> ['name']" sections with option and list lines, tab-indented
// as `uci export` writes them.

export type UciValue = string | number | boolean | string[];

export interface UciSection {
  type: string;
  name?: string;
  options: [string, UciValue | undefined][];
}

function quote(v: string | number | boolean): string {
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function uci(sections: UciSection[]): string {
  const out: string[] = [];
  for (const s of sections) {
    out.push(s.name ? `config ${s.type} '${s.name}'` : `config ${s.type}`);
    for (const [key, value] of s.options) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) out.push(`\tlist ${key} ${quote(item)}`);
      else out.push(`\toption ${key} ${quote(value)}`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function netmask(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [m >>> 24, (m >>> 16) & 255, (m >>> 8) & 255, m & 255].join('.');
}

/** Parses UCI text back into sections; the twin reads the rendered files through this. */
export function parseUci(text: string): UciSection[] {
  const sections: UciSection[] = [];
  let current: UciSection | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(config|option|list)\s+(\S+)(?:\s+'((?:[^']|'\\'')*)')?$/.exec(line);
    if (!m) throw new Error(`cannot parse UCI line: ${raw}`);
    const [, kind, key, rawValue] = m;
    const value = rawValue?.replace(/'\\''/g, "'");
    if (kind === 'config') {
      current = { type: key!, options: [] };
      if (value !== undefined) current.name = value;
      sections.push(current);
    } else if (!current) {
      throw new Error(`UCI ${kind} outside a section: ${raw}`);
    } else if (kind === 'option') {
      current.options.push([key!, value ?? '']);
    } else {
      const existing = current.options.find(([k, v]) => k === key && Array.isArray(v));
      if (existing) (existing[1] as string[]).push(value ?? '');
      else current.options.push([key!, [value ?? '']]);
    }
  }
  return sections;
}

export function option(s: UciSection, key: string): string | undefined {
  const v = s.options.find(([k]) => k === key)?.[1];
  return Array.isArray(v) ? v[0] : v === undefined ? undefined : String(v);
}

export function list(s: UciSection, key: string): string[] {
  const v = s.options.find(([k]) => k === key)?.[1];
  return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
}
