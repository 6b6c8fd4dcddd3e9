// The reference article (../shared/reference/) read as configuration: its UCI blocks, bird.conf,
// Talos patch, `cilium install` flags, Helm values and peering policies, plus readers that turn a
// config into comparable facts ("leaves"), so the golden test compares meaning, not text.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { parseUci, type UciSection } from '../../../lab/render/uci.ts';
import { repoRoot } from './paths.ts';

export const referenceRoot = path.resolve(repoRoot, '..', 'shared', 'reference');

/** The article's text, or undefined after a visible skip; in CI a missing article is a failure. */
export function articleOrSkip(t: TestContext): string | undefined {
  const file = existsSync(referenceRoot)
    ? readdirSync(referenceRoot).filter((f) => f.endsWith('.txt')).map((f) => path.join(referenceRoot, f))
      .find((f) => readFileSync(f, 'utf8').includes('Native Routing on Kubernetes with BGP'))
    : undefined;
  if (file) return readFileSync(file, 'utf8');
  const message = `reference article not found in ${referenceRoot} (expected ../shared/reference beside the repository)`;
  if (process.env['CI']) assert.fail(`${message}; CI is set, so this is a failure, not a skip`);
  t.diagnostic(message);
  t.skip(message);
  return undefined;
}

export interface Article {
  firewall: UciSection[];
  network: UciSection[];
  /** The options the article adds to the `config dnsmasq` section. */
  dnsmasq: UciSection;
  /** The LAN address each router gets, from the prose ("10.0.0.1/24", then "10.0.1.1/24"). */
  lanAddresses: string[];
  birdConf: string;
  talosPatch: unknown;
  /** `cilium install --helm-set` flags as a values object. */
  helmSet: Record<string, unknown>;
  /** The "ensure you have the following Helm values set" list. */
  bgpHelmValues: Record<string, unknown>;
  peeringPolicies: unknown[];
  /** LAN prefix -> the dc label its node gets. */
  nodeLabels: Record<string, string>;
}

const isUci = (l: string) => /^\s*(config|option|list)\s/.test(l);

/** Runs of UCI lines (blank lines inside a run allowed), in article order. */
function uciRuns(lines: string[]): string[][] {
  const runs: string[][] = [];
  let run: string[] | undefined;
  lines.forEach((l, i) => {
    const nextCode = lines.slice(i + 1).find((x) => x.trim() !== '');
    if (isUci(l)) (run ??= []).push(l);
    else if (l.trim() === '' && run && nextCode !== undefined && isUci(nextCode)) run.push(l);
    else if (run) {
      runs.push(run);
      run = undefined;
    }
  });
  if (run) runs.push(run);
  return runs;
}

/** Lines from the first matching `start` while they still look like code (indented, braces, keys). */
function codeFrom(lines: string[], start: RegExp, looksLikeCode: (l: string) => boolean): string {
  const i = lines.findIndex((l) => start.test(l));
  assert.ok(i >= 0, `the article has no line matching ${start}`);
  const out: string[] = [];
  for (const l of lines.slice(i)) {
    if (l.trim() !== '' && !looksLikeCode(l)) break;
    out.push(l);
  }
  return out.join('\n').trim() + '\n';
}

function helmValue(raw: string): unknown {
  const v = raw.replace(/^"(.*)"$/, '$1');
  if (/^\{.*\}$/.test(v)) return v.slice(1, -1).split(',');
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

function setPath(into: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let o = into;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

export function readArticle(text: string): Article {
  const lines = text.split('\n');
  const runs = uciRuns(lines).map((r) => r.join('\n'));
  const firewall = runs.filter((r) => /config (zone|forwarding)/.test(r)).flatMap((r) => parseUci(r));
  const network = runs.filter((r) => /config interface/.test(r)).flatMap((r) => parseUci(r));
  const fragment = runs.filter((r) => !/^\s*config/m.test(r));
  assert.equal(fragment.length, 1, 'one dnsmasq fragment (options without a config line)');
  const dnsmasq = parseUci(`config dnsmasq\n${fragment[0]}`)[0]!;

  const lanAddresses = [
    /lan to have the IP address (\S+) from/.exec(text)?.[1],
    /change the LAN in \/etc\/config\/network to (\S+) instead/.exec(text)?.[1],
  ].filter((x): x is string => x !== undefined);

  const birdConf = codeFrom(lines, /^define OWNAS/, (l) => /^(define|router|protocol|filter|\s|\})/.test(l));
  const yamlish = (l: string) => /^(\s|---$|[A-Za-z]+:)/.test(l);
  const talosPatch = parseAllDocuments(codeFrom(lines, /^cluster:$/, yamlish)).map((d) => d.toJS() as unknown);
  assert.equal(talosPatch.length, 1, 'the Talos patch is one document');
  const peeringPolicies = parseAllDocuments(codeFrom(lines, /^apiVersion: "cilium\.io\/v2alpha1"$/, yamlish)).map((d) => d.toJS() as unknown);

  const helmSet: Record<string, unknown> = {};
  for (const l of lines) {
    const m = /--helm-set=([^=\s]+)=(\S+)/.exec(l);
    if (m) setPath(helmSet, m[1]!, helmValue(m[2]!));
  }
  const bgpHelmValues: Record<string, unknown> = {};
  for (const l of lines) {
    const m = /^([A-Za-z][\w.]*)=(\S+)$/.exec(l.trim());
    if (m) setPath(bgpHelmValues, m[1]!, helmValue(m[2]!));
  }
  const labels = /The node in (\S+) is (\w+), the one in (\S+) is (\w+)\./.exec(text);
  assert.ok(labels, 'the article says which LAN gets which dc label');
  return {
    firewall, network, dnsmasq, lanAddresses, birdConf, talosPatch: talosPatch[0], helmSet, bgpHelmValues, peeringPolicies,
    nodeLabels: { [labels[1]!]: labels[2]!, [labels[3]!]: labels[4]! },
  };
}

// ---- facts ("leaves") that two configs can be compared by ----

/** A UCI section as "<prefix> > key = value" facts; ipaddr+netmask is written as CIDR, as netifd reads both. */
export function uciLeaves(prefix: string, s: UciSection, only?: string[]): string[] {
  const opts = new Map(s.options.map(([k, v]) => [k, v]));
  const mask = opts.get('netmask');
  if (typeof mask === 'string' && opts.has('ipaddr')) {
    const bits = mask.split('.').reduce((n, o) => n + Number(o).toString(2).replace(/0/g, '').length, 0);
    opts.set('ipaddr', [`${String(opts.get('ipaddr'))}/${bits}`]);
    opts.delete('netmask');
  }
  const out: string[] = [];
  for (const [k, v] of opts) {
    if (only && !only.includes(k)) continue;
    const value = Array.isArray(v) ? `[${[...v].sort().join(', ')}]` : `'${String(v)}'`;
    out.push(`${prefix} > ${k} = ${value}`);
  }
  return out;
}

interface BirdItem {
  text: string;
  body?: BirdItem[];
}

/** bird.conf as a tree of statements and blocks; `define`s substituted, comments dropped. */
export function parseBirdConf(text: string): BirdItem[] {
  const root: BirdItem[] = [];
  const stack: BirdItem[][] = [root];
  let buf = '';
  let brackets = 0; // "{24,24}" inside a prefix set "[ ... ]" is not a block
  const flush = () => {
    const t = buf.replace(/\s+/g, ' ').trim();
    if (t) stack.at(-1)!.push({ text: t });
    buf = '';
  };
  for (const ch of text.replace(/#.*$/gm, '')) {
    if (ch === '[') brackets++;
    if (ch === ']') brackets--;
    if (brackets > 0) buf += ch;
    else if (ch === ';') flush();
    else if (ch === '{') {
      const item: BirdItem = { text: buf.replace(/\s+/g, ' ').trim(), body: [] };
      stack.at(-1)!.push(item);
      stack.push(item.body!);
      buf = '';
    } else if (ch === '}') {
      flush();
      stack.pop();
      assert.ok(stack.length > 0, 'unbalanced braces in bird.conf');
    } else buf += ch;
  }
  const defines = new Map<string, string>();
  for (const item of root) {
    const m = /^define (\w+) = (.+)$/.exec(item.text);
    if (m) defines.set(m[1]!, m[2]!);
  }
  const substitute = (items: BirdItem[]): BirdItem[] => items.filter((i) => !i.text.startsWith('define ')).map((i) => {
    let t = i.text;
    for (const [name, value] of defines) t = t.replace(new RegExp(`\\b${name}\\b`, 'g'), value);
    return i.body ? { text: t, body: substitute(i.body) } : { text: t };
  });
  return substitute(root);
}

/**
 * The facts of a bird.conf: one "a > b > statement" path per statement (an empty block is "a {}").
 * A channel (`ipv4;` or `ipv4 { }`) states BIRD's defaults it leaves out (import all, export none);
 * an iBGP session is named by its neighbour, so a protocol's name is compared on its own.
 */
export function birdLeaves(text: string): { leaves: string[]; ibgpNames: string[] } {
  const ibgpNames: string[] = [];
  const walk = (items: BirdItem[], prefix: string): string[] => items.flatMap((i): string[] => {
    let head = i.text;
    let body = i.body;
    if (/^ipv4$/.test(head)) {
      body = [...(body ?? [])];
      if (!body.some((b) => b.text.startsWith('import'))) body.push({ text: 'import all' });
      if (!body.some((b) => b.text.startsWith('export'))) body.push({ text: 'export none' });
    }
    const bgp = /^protocol bgp (\w+)$/.exec(head);
    const neighbor = body?.find((b) => b.text.startsWith('neighbor '))?.text;
    if (bgp && neighbor) {
      ibgpNames.push(bgp[1]!);
      head = `protocol bgp <${neighbor}>`;
    }
    const path = prefix ? `${prefix} > ${head}` : head;
    if (!body) return [path];
    return body.length === 0 ? [`${path} {}`] : walk(body, path);
  });
  return { leaves: walk(parseBirdConf(text), ''), ibgpNames };
}

/** Plain data as "a.b[0].c = json" facts; arrays of scalars are one fact. */
export function dataLeaves(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)) return v.flatMap((x, i) => dataLeaves(x, `${prefix}[${i}]`));
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return Object.entries(v).flatMap(([k, x]) => dataLeaves(x, prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix} = ${JSON.stringify(v)}`];
}

/** "- fact" for what only the article says, "+ fact" for what only the render says. */
export function diffLeaves(where: string, article: string[], render: string[]): string[] {
  const a = new Set(article);
  const r = new Set(render);
  return [...[...a].filter((x) => !r.has(x)).map((x) => `- ${where}: ${x}`), ...[...r].filter((x) => !a.has(x)).map((x) => `+ ${where}: ${x}`)];
}

/** Replaces addresses by their role, longest first, so one allowed difference covers every router. */
export function symbolise(line: string, symbols: [string, string][]): string {
  let out = line;
  for (const [addr, name] of [...symbols].sort((x, y) => y[0].length - x[0].length)) {
    out = out.replace(new RegExp(`(?<![\\d.])${addr.replace(/[./]/g, (c) => `\\${c}`)}(?![\\d])`, 'g'), name);
  }
  return out;
}
