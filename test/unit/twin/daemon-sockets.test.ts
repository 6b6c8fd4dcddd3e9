// `lab exec` adds the socket a daemon client needs, and nothing else: birdc on routers, gobgp on nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOBGP_API, withDaemonSocket } from '../../../lab/runtime/twin/sockets.ts';

const router = { birdSocket: '/run/nrl-abcdef/bird-dc1.ctl' };

test('birdc on a router gets the lab\'s control socket', () => {
  assert.deepEqual(withDaemonSocket(['birdc', 'show', 'route'], router), ['birdc', '-s', '/run/nrl-abcdef/bird-dc1.ctl', 'show', 'route']);
});

test('gobgp on a node gets the API address gobgpd listens on', () => {
  assert.deepEqual(withDaemonSocket(['gobgp', 'neighbor'], { gobgp: true }), ['gobgp', '-u', GOBGP_API.host, '-p', String(GOBGP_API.port), 'neighbor']);
});

test('negative controls: the user\'s own socket, other machines and other commands are left alone', () => {
  assert.deepEqual(withDaemonSocket(['birdc', '-s', '/tmp/x.ctl', 'show', 'status'], router), ['birdc', '-s', '/tmp/x.ctl', 'show', 'status']);
  assert.deepEqual(withDaemonSocket(['birdc', 'show', 'route'], { gobgp: true }), ['birdc', 'show', 'route']);
  assert.deepEqual(withDaemonSocket(['gobgp', '-p', '50052', 'global'], { gobgp: true }), ['gobgp', '-p', '50052', 'global']);
  assert.deepEqual(withDaemonSocket(['gobgp', '--target', 'unix:///x', 'global'], { gobgp: true }), ['gobgp', '--target', 'unix:///x', 'global']);
  assert.deepEqual(withDaemonSocket(['gobgp', 'neighbor'], router), ['gobgp', 'neighbor']);
  assert.deepEqual(withDaemonSocket(['ip', 'route'], { ...router, gobgp: true }), ['ip', 'route']);
});
