// Child process for introspect.test.ts: runs the Dagger TypeScript SDK's own introspector (the code
// the module runtime runs to register a module: @dagger.io/dagger 0.21.9,
// dist/src/module/introspector) on the given module files, with the TypeScript the runtime bundles
// (dagger/node_modules/typescript, 5.9.3) swapped in for the root's through a resolve hook, and
// prints what it registers as JSON.
//
//   node --import tsx test/unit/dagger/support/introspect.mts FILE...
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..', '..', '..', '..');
const runtimeTs = pathToFileURL(path.join(root, 'dagger/node_modules/typescript/lib/typescript.js')).href;
const hook = `export async function resolve(s, c, next) { return s === 'typescript' ? next(${JSON.stringify(runtimeTs)}, c) : next(s, c); }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const sdk = path.join(root, 'node_modules/@dagger.io/dagger/dist/src');
const ts = (await import('typescript')).default;
const { scan } = (await import(pathToFileURL(path.join(sdk, 'module/introspector/index.js')).href)) as {
  scan: (files: string[], name: string, load: boolean) => Promise<{ objects: Record<string, IntrospectedObject> }>;
};

interface IntrospectedArg { type?: { kind: string; name?: string }; isOptional: boolean; defaultValue?: unknown; defaultPath?: string; ignore?: string[] }
interface IntrospectedObject {
  _constructor?: { arguments: Record<string, IntrospectedArg> };
  methods: Record<string, { cache?: string; isCheck: boolean; returnType?: { kind: string; name?: string }; arguments: Record<string, IntrospectedArg> }>;
  properties: Record<string, { isExposed: boolean; type?: { kind: string; name?: string } }>;
}

// The introspector resolves Dagger's types by name in the generated client's source (client.gen.ts,
// typescript_module/ast.js CLIENT_GEN_FILE); the npm package ships its declarations, which declare
// the same classes.
const gen = mkdtempSync(path.join(tmpdir(), 'dagger-client-gen-'));
copyFileSync(path.join(sdk, 'api/client.gen.d.ts'), path.join(gen, 'client.gen.ts'));
try {
  const m = await scan([...process.argv.slice(2), path.join(gen, 'client.gen.ts')], 'native-routing-lab', false);
  const type = (t?: { kind: string; name?: string }) => (t ? `${t.kind}${t.name ? `:${t.name}` : ''}` : 'unresolved');
  const arg = (a: IntrospectedArg) => ({
    type: type(a.type), optional: a.isOptional,
    ...(a.defaultValue !== undefined ? { default: a.defaultValue } : {}),
    ...(a.defaultPath !== undefined ? { defaultPath: a.defaultPath } : {}), ...(a.ignore ? { ignore: a.ignore } : {}),
  });
  const objects = Object.fromEntries(Object.entries(m.objects).map(([name, o]) => [name, {
    constructor: o._constructor ? Object.fromEntries(Object.entries(o._constructor.arguments).map(([k, a]) => [k, arg(a)])) : null,
    functions: Object.fromEntries(Object.entries(o.methods).map(([k, f]) => [k, {
      cache: f.cache ?? null, check: f.isCheck, returns: type(f.returnType),
      args: Object.fromEntries(Object.entries(f.arguments).map(([an, a]) => [an, arg(a)])),
    }])),
    fields: Object.fromEntries(Object.entries(o.properties).filter(([, p]) => p.isExposed).map(([k, p]) => [k, type(p.type)])),
  }]));
  process.stdout.write(JSON.stringify({ typescript: ts.version, objects }));
} finally {
  rmSync(gen, { recursive: true, force: true });
}
