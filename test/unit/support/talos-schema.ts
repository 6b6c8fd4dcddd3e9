// Validates Talos machine-config patch documents against a Talos release's config.schema.json (2020-12).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { addFormats } from './ajv-formats.ts';

type Json = Record<string, unknown>;

/**
 * Kinds a schema names differently from Talos itself, mapped for validation only. The v1.14.0-rc.1
 * schema's enum for runtime.UnattendedInstallConfigV1Alpha1 says "UnattendedInstall" (from a
 * `schemaMeta: v1alpha1/UnattendedInstall` doc comment upstream), but Talos registers and accepts only
 * "UnattendedInstallConfig" (UnattendedInstallConfigKind, its testdata and docs). The rendered patch
 * must say UnattendedInstallConfig, so the document is checked as the schema's spelling of that kind.
 * The mapping applies only when the schema lacks the real kind and has the alias.
 */
export const SCHEMA_KIND_ALIASES: Record<string, string> = { UnattendedInstallConfig: 'UnattendedInstall' };

interface KindDef {
  def: string;
  apiVersions: string[];
}

export class TalosSchema {
  readonly folder: string;
  readonly kinds = new Map<string, KindDef>();
  private readonly ajv: Ajv2020;
  private readonly id: string;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(schemasRoot: string, folder: string) {
    this.folder = folder;
    const schema = JSON.parse(readFileSync(path.join(schemasRoot, 'talos', folder, 'config.schema.json'), 'utf8')) as Json & { $id: string; $defs: Record<string, Json> };
    // A patch is a partial v1alpha1 config: tolerate missing required fields of a full config, but keep
    // additionalProperties: false, so unknown keys still fail.
    for (const [name, def] of Object.entries(schema.$defs)) {
      if (name.startsWith('v1alpha1.')) delete def['required'];
    }
    for (const [name, def] of Object.entries(schema.$defs)) {
      const props = def['properties'] as Record<string, { enum?: string[] }> | undefined;
      const kind = props?.['kind']?.enum;
      if (kind?.length === 1) this.kinds.set(kind[0]!, { def: name, apiVersions: props?.['apiVersion']?.enum ?? [] });
    }
    this.id = schema.$id;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv, ['uri']);
    this.ajv.addSchema(schema);
  }

  private validator(def: string): ValidateFunction {
    let v = this.compiled.get(def);
    if (!v) {
      v = this.ajv.getSchema(`${this.id}#/$defs/${def}`);
      if (!v) throw new Error(`${this.folder}: no $defs/${def}`);
      this.compiled.set(def, v);
    }
    return v;
  }

  /** The schema's spelling of a kind (see SCHEMA_KIND_ALIASES), or undefined when it knows none. */
  schemaKind(kind: string): string | undefined {
    if (this.kinds.has(kind)) return kind;
    const alias = SCHEMA_KIND_ALIASES[kind];
    return alias !== undefined && this.kinds.has(alias) ? alias : undefined;
  }

  /** Errors of one patch document; empty when valid. */
  errors(doc: unknown): string[] {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['the document is not a mapping'];
    const d = doc as Json;
    if (d['kind'] === undefined && d['apiVersion'] === undefined) return this.run('v1alpha1.Config', d);
    const kind = String(d['kind']);
    const schemaKind = this.schemaKind(kind);
    if (!schemaKind) return [`kind ${kind} is not a document kind of the ${this.folder} schema`];
    const known = this.kinds.get(schemaKind)!;
    if (d['$patch'] !== undefined) {
      // A delete patch names a document to drop; only its identity can be checked.
      const errors: string[] = [];
      if (d['$patch'] !== 'delete') errors.push(`$patch must be "delete", not ${JSON.stringify(d['$patch'])}`);
      if (!known.apiVersions.includes(String(d['apiVersion']))) errors.push(`apiVersion ${String(d['apiVersion'])} is not one of ${known.apiVersions.join(', ')} for ${kind}`);
      const extra = Object.keys(d).filter((k) => !['apiVersion', 'kind', '$patch'].includes(k));
      if (extra.length > 0) errors.push(`a delete patch carries other keys: ${extra.join(', ')}`);
      return errors;
    }
    return this.run(known.def, { ...d, kind: schemaKind });
  }

  private run(def: string, doc: Json): string[] {
    const v = this.validator(def);
    if (v(doc)) return [];
    return (v.errors ?? []).map((e: ErrorObject) => `${def} ${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  }
}
