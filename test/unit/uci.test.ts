// UCI text: uci() then parseUci() gives the sections back, and every rendered UCI file re-renders unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderAll } from '../../lab/render/index.ts';
import { list, netmask, option, parseUci, uci, type UciSection } from '../../lab/render/uci.ts';
import { VARIANTS, modelOf } from './support/topologies.ts';

test('round trip: names, options, lists, quotes; booleans and numbers come back as UCI strings', () => {
  const sections: UciSection[] = [
    { type: 'interface', name: 'lan', options: [['device', 'br-lan'], ['mtu', 1500], ['auto', true], ['disabled', false], ['gone', undefined]] },
    { type: 'zone', options: [['name', 'peering'], ['network', ['peering', 'mgmt']], ['comment', "it's a 'quoted' word"]] },
    { type: 'empty', options: [] },
  ];
  const text = uci(sections);
  assert.equal(text.split('\n')[0], "config interface 'lan'");
  assert.match(text, /^\toption comment 'it'\\''s a '\\''quoted'\\'' word'$/m, 'single quotes escaped as UCI does');
  const back = parseUci(text);
  assert.deepEqual(back, [
    { type: 'interface', name: 'lan', options: [['device', 'br-lan'], ['mtu', '1500'], ['auto', '1'], ['disabled', '0']] },
    { type: 'zone', options: [['name', 'peering'], ['network', ['peering', 'mgmt']], ['comment', "it's a 'quoted' word"]] },
    { type: 'empty', options: [] },
  ]);
  assert.equal(uci(back), text, 'parse then render is the identity on rendered text');
  assert.equal(option(back[0]!, 'mtu'), '1500');
  assert.deepEqual(list(back[1]!, 'network'), ['peering', 'mgmt']);
  assert.deepEqual(list(back[1]!, 'name'), ['peering'], 'a single option reads as a one-item list');
  assert.equal(option(back[1]!, 'missing'), undefined);
});

test('parseUci refuses what it cannot read, and skips comments and blank lines', () => {
  assert.throws(() => parseUci("\toption name 'x'"), /outside a section/);
  assert.throws(() => parseUci("config zone\n\tbogus name 'x'"), /cannot parse UCI line/);
  assert.deepEqual(parseUci("# comment\n\nconfig defaults\n\n\toption input 'REJECT'\n"), [{ type: 'defaults', options: [['input', 'REJECT']] }]);
});

test('every rendered UCI file re-renders unchanged after parsing', () => {
  for (const v of VARIANTS) {
    for (const [rel, text] of renderAll(modelOf(v))) {
      if (!rel.includes('/etc/config/')) continue;
      assert.equal(uci(parseUci(text)), text, `${v.name}: ${rel}`);
    }
  }
});

test('netmask', () => {
  assert.deepEqual([0, 8, 23, 24, 29, 32].map(netmask), ['0.0.0.0', '255.0.0.0', '255.255.254.0', '255.255.255.0', '255.255.255.248', '255.255.255.255']);
});
