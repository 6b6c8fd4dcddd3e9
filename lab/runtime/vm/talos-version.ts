// `talosctl version` output. Fact (siderolabs/talos release-1.14 cmd/talosctl/cmd/talos/version.go):
// "Client:" then the client's fields ("Tag:", "SHA:", ...; --short prints only the client's tag
// line), then "Server:" and, per node, "\tNODE:        <addr>" followed by its "Tag:", ...,
// "Enabled:" lines; an unreachable node adds "error getting version from node <addr>: ..." on
// stderr. Pure.

export interface TalosVersion {
  client?: string;
  servers: { node: string; tag?: string }[];
}

export function parseTalosVersion(text: string): TalosVersion {
  const out: TalosVersion = { servers: [] };
  let section: 'client' | 'server' | undefined;
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === 'Client:') section = 'client';
    else if (l === 'Server:') section = 'server';
    const field = /^(NODE|Tag):\s*(.*)$/.exec(l);
    if (!field) continue;
    if (field[1] === 'NODE' && section === 'server') out.servers.push({ node: field[2]! });
    else if (field[1] === 'Tag' && section === 'client') out.client = field[2]!;
    else if (field[1] === 'Tag' && section === 'server' && out.servers.length > 0) out.servers.at(-1)!.tag = field[2]!;
  }
  return out;
}
