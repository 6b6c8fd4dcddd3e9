// ajv-formats is CommonJS; under NodeNext its default import is the module object, whose
// `default` is the plugin. This takes whichever is the function.
import type { Ajv } from 'ajv';
import plugin from 'ajv-formats';

type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;

export const addFormats = ((plugin as unknown as { default?: AddFormats }).default ?? plugin) as unknown as AddFormats;
