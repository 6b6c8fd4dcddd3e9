// The compiled validator of the topology JSON Schema. From source it is compiled by ajv when first
// loaded (about 150 ms); the build (bin/build.mjs) replaces this module with ajv's standalone code
// generated from the same schema, so the compiled CLI validates without loading ajv at all.
import { Ajv, type ValidateFunction } from 'ajv';
import { TOPOLOGY_JSON_SCHEMA } from './schema.ts';

export const AJV_OPTIONS = { allErrors: true, strict: false } as const;

export const validateShape: ValidateFunction = new Ajv(AJV_OPTIONS).compile(TOPOLOGY_JSON_SCHEMA);
