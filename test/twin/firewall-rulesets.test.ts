// nftables itself accepts every ruleset the twin translates: every router of the reference and of
// three-dc, and the variants the tests and pitfalls load. `nft --check` parses and evaluates a whole
// ruleset without committing it; it runs in a throwaway lab namespace all the same, never the root one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderAll, routerPath } from '../../lab/render/index.ts';
import { addNamespace, destroyNamespaces } from '../../lab/runtime/netns.ts';
import { newRunId, nsName } from '../../lab/runtime/names.ts';
import { fw4Ruleset } from '../../lab/runtime/twin/fw4.ts';
import { loadModel } from '../../lab/topology/load.ts';
import { labNamespaces, REPO, twinUnavailable } from './support.ts';

const skip = twinUnavailable();
const runId = newRunId();
const ns = nsName(runId, 'nftcheck');

const forwarding = (src: string, dest: string) => `config forwarding\n\toption src '${src}'\n\toption dest '${dest}'\n\n`;
const VARIANTS: Record<string, (fw: string) => string> = {
  'as rendered': (fw) => fw,
  'masq_allow_invalid off': (fw) => fw.replace("\toption masq_allow_invalid '1'\n", ''),
  'wan without masq': (fw) => fw.replace("\toption masq '1'\n", ''),
  'syn_flood off': (fw) => fw.replace("\toption syn_flood '1'\n", "\toption syn_flood '0'\n"),
  'drop_invalid on': (fw) => fw.replace("\toption syn_flood '1'\n", "\toption syn_flood '1'\n\toption drop_invalid '1'\n"),
  'wan->lan and lan->mgmt added': (fw) => fw + forwarding('wan', 'lan') + forwarding('lan', 'mgmt'),
  'forwarding to a zone with no device': (fw) => `${fw}config zone\n\toption name 'guest'\n\tlist network 'guest'\n\toption input 'REJECT'\n\n${forwarding('lan', 'guest')}`,
  'wan6 in the wan zone, as the article has it': (fw) => fw.replace("\tlist network 'wan'\n", "\tlist network 'wan'\n\tlist network 'wan6'\n"),
};

const topologies = {
  reference: loadModel(undefined, 'reference'),
  'three-dc': loadModel(readFileSync(join(REPO, 'examples', 'three-dc.yaml'), 'utf8'), 'examples/three-dc.yaml'),
};

function nftCheck(ruleset: string): { status: number | null; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '--check', '-f', '-'], { input: ruleset, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('nft --check loads every translated ruleset', { skip }, () => {
  before(async () => addNamespace(ns));
  after(async () => {
    await destroyNamespaces([ns]);
    assert.deepEqual(labNamespaces(runId), []);
  });

  for (const [topo, model] of Object.entries(topologies)) {
    const files = renderAll(model);
    for (const dc of model.datacentres) {
      for (const [variant, edit] of Object.entries(VARIANTS)) {
        it(`${topo} ${dc.routers[0]!.name}: ${variant}`, () => {
          const r = nftCheck(fw4Ruleset(edit(files.get(routerPath(dc.name, 'firewall'))!), files.get(routerPath(dc.name, 'network'))!));
          assert.equal(r.status, 0, r.stderr);
        });
      }
    }
  }

  it('negative control: nft --check refuses a jump to a chain that is not there', () => {
    const files = renderAll(topologies.reference);
    const good = fw4Ruleset(VARIANTS['forwarding to a zone with no device']!(files.get(routerPath('dc1', 'firewall'))!), files.get(routerPath('dc1', 'network'))!);
    const broken = good.replace(/\tchain accept_to_guest \{\n\t\}\n/, '');
    assert.notEqual(broken, good);
    const r = nftCheck(broken);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /accept_to_guest/);
  });
});
