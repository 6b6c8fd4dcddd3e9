// Validates Kubernetes objects against the openAPIV3Schema of the real CustomResourceDefinitions, the
// way the API server would: defaults applied, unknown fields refused, CEL rules checked.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';
import { parse } from 'yaml';
import { parseCidr } from '../../../lab/topology/cidr.ts';
import { parseCidr6 } from '../../../lab/topology/cidr6.ts';
import type { TestContext } from 'node:test';
import { addFormats } from './ajv-formats.ts';
import { schemasOrSkip } from './paths.ts';

type Json = Record<string, unknown>;

export interface CrdVersion {
  file: string; // relative to the crds folder, e.g. v2/ciliumbgpclusterconfigs.yaml
  group: string;
  kind: string;
  version: string;
  deprecated: boolean;
  schema: Json;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? yamlFiles(p) : e.endsWith('.yaml') ? [p] : [];
  });
}

export function loadCrds(crdDir: string): CrdVersion[] {
  return yamlFiles(crdDir).flatMap((file) => {
    const crd = parse(readFileSync(file, 'utf8')) as { kind: string; spec: { group: string; names: { kind: string }; versions: { name: string; deprecated?: boolean; schema: { openAPIV3Schema: Json } }[] } };
    if (crd.kind !== 'CustomResourceDefinition') return [];
    return crd.spec.versions.map((v) => ({
      file: path.relative(crdDir, file),
      group: crd.spec.group,
      kind: crd.spec.names.kind,
      version: v.name,
      deprecated: v.deprecated === true,
      schema: v.schema.openAPIV3Schema,
    }));
  });
}

/** Every stored schema that serves this apiVersion ("group/version") and kind. */
let cache: CrdVersion[] | undefined;
/** The stored Cilium CRDs of ../shared, loaded once per process; undefined (test skipped) when absent. */
export function loadedCrds(t: TestContext): CrdVersion[] | undefined {
  const root = schemasOrSkip(t);
  if (!root) return undefined;
  cache ??= loadCrds(path.join(root, 'cilium', 'crds'));
  return cache;
}

export function crdsFor(all: CrdVersion[], apiVersion: string, kind: string): CrdVersion[] {
  const [group, version] = apiVersion.split('/');
  return all.filter((c) => c.group === group && c.version === version && c.kind === kind);
}

// The CEL rules (x-kubernetes-validations) of the stored Cilium CRDs, translated by hand. A rule not in
// this table fails the compile, so a schema update cannot silently drop a check.
const has = (o: unknown, k: string): boolean => typeof o === 'object' && o !== null && k in o;
const CEL: Record<string, (self: Json) => boolean> = {
  "self.advertisementType != 'Service' || has(self.service)": (s) => s['advertisementType'] !== 'Service' || has(s, 'service'),
  "self.advertisementType == 'Service' || !has(self.service)": (s) => s['advertisementType'] === 'Service' || !has(s, 'service'),
  "self.advertisementType != 'Interface' || has(self.interface)": (s) => s['advertisementType'] !== 'Interface' || has(s, 'interface'),
  "self.advertisementType == 'Interface' || !has(self.interface)": (s) => s['advertisementType'] === 'Interface' || !has(s, 'interface'),
  "self.advertisementType != 'PodCIDR' || !has(self.selector)": (s) => s['advertisementType'] !== 'PodCIDR' || !has(s, 'selector'),
  "self.mode != 'DefaultGateway' || has(self.defaultGateway)": (s) => s['mode'] !== 'DefaultGateway' || has(s, 'defaultGateway'),
  "self.mode != 'Unnumbered' || (has(self.unnumbered) != has(self.defaultGateway))": (s) => s['mode'] !== 'Unnumbered' || has(s, 'unnumbered') !== has(s, 'defaultGateway'),
  "!has(self.peerInterface) || !has(self.peerAddress) || self.peerAddress.startsWith('fe80:') || self.peerAddress.startsWith('FE80:')": (s) =>
    !has(s, 'peerInterface') || !has(s, 'peerAddress') || String(s['peerAddress']).startsWith('fe80:') || String(s['peerAddress']).startsWith('FE80:'),
  'has(self.peerAddress) || has(self.autoDiscovery)': (s) => has(s, 'peerAddress') || has(s, 'autoDiscovery'),
  '!has(self.peerInterface) || !has(self.localAddress)': (s) => !has(s, 'peerInterface') || !has(s, 'localAddress'),
  // Evaluated after defaulting, as the API server does; a missing field is an evaluation error, i.e. a failure.
  'self.keepAliveTimeSeconds <= self.holdTimeSeconds': (s) =>
    typeof s['keepAliveTimeSeconds'] === 'number' && typeof s['holdTimeSeconds'] === 'number' && s['keepAliveTimeSeconds'] <= s['holdTimeSeconds'],
};

function uniqueBy(items: unknown[], key: (item: unknown) => string): string | undefined {
  const seen = new Set<string>();
  for (const it of items) {
    const k = key(it);
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return undefined;
}

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true });
  addFormats(ajv, ['date-time', 'ipv4', 'ipv6']);
  // Integer widths: the schemas carry minimum/maximum where they matter.
  for (const f of ['int32', 'int64', 'float', 'double', 'byte']) ajv.addFormat(f, true);
  // Kubernetes' "cidr" format, either family (dual-stack pools render an IPv6 block).
  ajv.addFormat('cidr', { type: 'string', validate: (s: string) => !('error' in (s.includes(':') ? parseCidr6(s) : parseCidr(s))) });
  for (const k of ['x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource']) {
    ajv.addKeyword({ keyword: k });
  }
  // list-type map: items unique by their map keys; set: items unique. As the API server enforces.
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    errors: true,
    compile(listType: string, parent: AnySchemaObject) {
      const keys = (parent['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
      const v: DataValidateFunction = (data: unknown) => {
        const items = data as unknown[];
        const dup = listType === 'map' ? uniqueBy(items, (i) => JSON.stringify(keys.map((k) => (i as Json)[k])))
          : listType === 'set' ? uniqueBy(items, (i) => JSON.stringify(i)) : undefined;
        v.errors = dup === undefined ? [] : [{ keyword: 'x-kubernetes-list-type', message: `duplicate ${listType} entry ${dup}`, params: { listType } }];
        return dup === undefined;
      };
      return v;
    },
  });
  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    // Typed "object" so ajv runs it after assigning the object's defaults, as the API server does.
    type: 'object',
    errors: true,
    compile(rules: { rule: string; message?: string }[]) {
      const checks = rules.map((r) => {
        const rule = r.rule.replace(/\s+/g, ' ').trim();
        const f = CEL[rule];
        if (!f) throw new Error(`untranslated CEL rule in a CRD: ${rule} (add it to test/unit/support/crd.ts)`);
        return { f, rule, message: r.message ?? rule };
      });
      const v: DataValidateFunction = (data: unknown) => {
        const failed = typeof data === 'object' && data !== null ? checks.filter((c) => !c.f(data as Json)) : [];
        v.errors = failed.map((c) => ({ keyword: 'x-kubernetes-validations', message: c.message, params: { rule: c.rule } }));
        return failed.length === 0;
      };
      return v;
    },
  });
  return ajv;
}

/**
 * Kubernetes prunes unknown fields of a structural schema, and `kubectl apply` (field validation Strict,
 * the default since 1.27) refuses them. JSON Schema would let them through, so every object with
 * declared properties gets additionalProperties: false unless it preserves unknown fields.
 */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, structural(pv)])) : structural(v);
  }
  if ('properties' in out && !('additionalProperties' in out) && out['x-kubernetes-preserve-unknown-fields'] !== true) out['additionalProperties'] = false;
  return out;
}

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** The whole object: apiVersion and kind of this CRD version, ObjectMeta's name and labels, then the schema. */
function objectSchema(c: CrdVersion): Json {
  const s = structural(c.schema) as Json & { properties: Json; required?: string[] };
  return {
    ...s,
    required: [...new Set([...(s.required ?? []), 'apiVersion', 'kind', 'metadata'])],
    properties: {
      ...s.properties,
      apiVersion: { const: `${c.group}/${c.version}` },
      kind: { const: c.kind },
      metadata: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  };
}

export interface CrdValidator {
  crd: CrdVersion;
  /** Validation errors, empty when the object is valid. The object is not modified. */
  errors(doc: unknown): string[];
}

const ajv = createAjv();
const compiled = new Map<string, ValidateFunction>();

export function crdValidator(c: CrdVersion): CrdValidator {
  const id = `${c.file}#${c.version}`;
  let validate = compiled.get(id);
  if (!validate) {
    validate = ajv.compile(objectSchema(c));
    compiled.set(id, validate);
  }
  const fn = validate;
  return {
    crd: c,
    errors(doc) {
      if (fn(structuredClone(doc))) return [];
      return (fn.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
    },
  };
}
