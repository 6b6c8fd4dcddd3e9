// junit.xml: golden files from the recorded reports, valid against a JUnit XSD (xmllint, compiled to
// WebAssembly), and parsed back: one test case per assertion per subject, failures with expected,
// seen and the diagnosis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { validateXML } from 'xmllint-wasm';
import { junitXml } from '../../../lab/report/junit.ts';
import { golden, here, recorded, RECORDED } from './support.ts';

const xsd = readFileSync(here('fixtures/junit.xsd'), 'utf8');

for (const name of RECORDED) {
  test(`junit.xml of the recorded ${name} run matches its golden file`, () => {
    golden(`${name}.junit.xml`, junitXml(recorded(name)));
  });

  test(`junit.xml of the recorded ${name} run is valid against the JUnit XSD`, async () => {
    const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: junitXml(recorded(name)) }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
    assert.deepEqual(r.errors.map((e) => e.rawMessage), []);
    assert.equal(r.valid, true);
  });

  test(`junit.xml of the recorded ${name} run parses back to one case per subject`, () => {
    const report = recorded(name);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['testsuite', 'testcase', 'property'].includes(n) })
      .parse(junitXml(report)) as { testsuites: { tests: string; failures: string; testsuite: { name: string; testcase: { name: string; failure?: { '#text': string; message: string } }[] }[] } };
    const suites = doc.testsuites.testsuite;
    assert.equal(suites.length, report.assertions.length);
    for (const [i, a] of report.assertions.entries()) {
      const suite = suites[i]!;
      assert.equal(suite.name, `${a.id}. ${a.title}`);
      assert.deepEqual(suite.testcase.map((c) => c.name), a.results.map((x) => x.subject));
      for (const [j, x] of a.results.entries()) {
        const c = suite.testcase[j]!;
        assert.equal(c.failure === undefined, x.ok, `${x.subject}: a failure element exactly when the check failed`);
        if (c.failure) {
          assert.match(c.failure['#text'], new RegExp(`expected: ${escapeRe(x.expected)}`));
          assert.ok(c.failure['#text'].includes(`seen:     ${x.seen}`));
          if (x.diagnosis) assert.equal(c.failure.message, x.diagnosis);
        }
      }
    }
    assert.equal(Number(doc.testsuites.failures), report.assertions.reduce((n, a) => n + a.failed, 0));
  });
}

test('the failing run has failures and the passing run none', () => {
  assert.doesNotMatch(junitXml(recorded('reference')), /<failure/);
  assert.match(junitXml(recorded('tunnel-masquerade')), /<failure message="pod packets are wrapped in VXLAN/);
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
