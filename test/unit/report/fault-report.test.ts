// A fault in the job summary and in junit.xml: one row and one test case per flow, failed exactly
// when the flow lost more than the fault's bound allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { junitXml } from '../../../lab/report/junit.ts';
import { summaryMarkdown } from '../../../lab/report/summary.ts';
import { boundViolations, lossBound } from '../../../lab/faults/bounds.ts';
import type { FaultReport } from '../../../lab/faults/run.ts';
import type { FlowResult } from '../../../lab/runtime/flows.ts';
import { here, recorded } from './support.ts';

const xsd = readFileSync(here('fixtures/junit.xsd'), 'utf8');
const flow = (from: string, to: string, lost: number, gap: number): FlowResult => ({ id: `${from}>${to}`, from, to, toAddress: '10.244.1.10', pps: 100, sent: 1000, received: 1000 - lost, lost, duplicates: 0, longestGapMs: gap, windows: lost ? [{ fromMs: 10, toMs: 10 + gap, lost }] : [] });

function withFault(flows: FlowResult[]) {
  const bound = lossBound({ kind: 'speaker-restart', gracefulRestart: { enabled: true, restartTime: 120 }, heldMs: 3000, timers: undefined, speakerFirstDialS: 2 });
  const violations = boundViolations(bound, flows);
  const fault: FaultReport = {
    kind: 'speaker-restart', target: 'worker-1', description: 'Cilium\'s speaker on worker-1 stopped (SIGTERM), then started again', holdTimeS: 9, sessions: [], boundedBy: [],
    detectMs: 40, withinHold: true, whatChanged: [], withdrawn: [], failingPairs: [], recoverMs: 2000, recovered: true, afterRecovery: [],
    flows, lossBound: bound, lossViolations: violations, heldMs: 3000, ok: violations.length === 0,
  };
  return { ...recorded('reference'), fault, ok: fault.ok };
}

test('a fault within its bound: a passing row per flow in the summary, passing cases in junit.xml', async () => {
  const r = withFault([flow('a-pod', 'b-pod', 0, 0), flow('b-pod', 'a-pod', 0, 0)]);
  const md = summaryMarkdown(r);
  assert.match(md, /### Fault `speaker-restart`: pass/);
  assert.match(md, /Bound: graceful restart \(restart time 120 s\) \(no loss\)/);
  assert.match(md, /\| a-pod → b-pod \(10\.244\.1\.10\) \| 1000 \| 0 \| 0 ms \|/);
  const xml = junitXml(r);
  assert.match(xml, /<testsuite name="fault speaker-restart" tests="3" failures="0"/);
  const v = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
  assert.deepEqual(v.errors.map((e) => e.rawMessage), []);
});

test('negative control: a flow that lost packets under graceful restart fails, naming the bound', async () => {
  const r = withFault([flow('a-pod', 'b-pod', 240, 2400), flow('b-pod', 'a-pod', 0, 0)]);
  const md = summaryMarkdown(r);
  assert.match(md, /### Fault `speaker-restart`: \*\*FAIL\*\*/);
  assert.match(md, /\*\*exceeded\*\*: a-pod -> b-pod: 240 lost, longest gap 2400 ms, beyond the bound of graceful restart/);
  const xml = junitXml(r);
  assert.match(xml, /<testsuite name="fault speaker-restart" tests="3" failures="1"/);
  assert.match(xml, /<failure message="a-pod -&gt; b-pod: 240 lost[^"]*" type="loss">/);
  const v = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
  assert.deepEqual(v.errors.map((e) => e.rawMessage), []);
});
