// Multi-document YAML with a header comment; stable key order as written by the renderers.
import { stringify } from 'yaml';

export function yamlDocs(header: string, docs: unknown[]): string {
  const comment = header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n');
  return `${comment}\n` + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
