// Reads a rendered bird.conf far enough for assertions: its top-level blocks by head line.
// Top-level blocks open with "<head> {" at column 0 and close with "}" at column 0.

export interface BirdBlock {
  head: string; // e.g. "protocol bgp router_dc2" or "template bgp cilium_node"
  body: string[]; // trimmed lines between the braces, nested ones included
}

export function birdBlocks(text: string): BirdBlock[] {
  const blocks: BirdBlock[] = [];
  let current: BirdBlock | undefined;
  for (const line of text.split('\n')) {
    if (!current) {
      const m = /^(\S.*?)\s*\{$/.exec(line);
      if (m && !line.startsWith('#')) current = { head: m[1]!, body: [] };
    } else if (line === '}') {
      blocks.push(current);
      current = undefined;
    } else {
      current.body.push(line.trim());
    }
  }
  if (current) throw new Error(`unclosed block: ${current.head}`);
  return blocks;
}

export function bgpProtocols(text: string): BirdBlock[] {
  return birdBlocks(text).filter((b) => b.head.startsWith('protocol bgp '));
}

/** The iBGP sessions: bgp protocols not derived from the node template. */
export function ibgpSessions(text: string): BirdBlock[] {
  return bgpProtocols(text).filter((b) => !b.head.includes(' from '));
}

export function block(text: string, head: string): BirdBlock {
  const b = birdBlocks(text).find((x) => x.head === head);
  if (!b) throw new Error(`no block "${head}" in:\n${text}`);
  return b;
}
