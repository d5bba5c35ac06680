// The Prisma DMMF (parsed schema.prisma) offline, for the drift check.
//
// @prisma/internals (getDMMF) is not installed, and the generated client only carries a
// reduced runtime data model (no nullability, native types or indexes). The prisma CLI ships
// the schema parser as prisma/build/prisma_schema_build_bg.wasm, the same module getDMMF
// calls; its wasm-bindgen glue is bundled inside the CLI, so this file re-implements the four
// imports it needs. If a Prisma upgrade changes them, this fails loudly, naming the import.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  hasDefaultValue: boolean;
  type: string;
  /** e.g. ['Timestamptz', ['3']] for @db.Timestamptz(3). */
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  schema?: string | null;
  fields: DmmfField[];
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  isDefinedOnField: boolean;
  /** Only when the schema names it (map:); otherwise Prisma's default name applies. */
  dbName?: string;
  fields: { name: string; sortOrder?: string; length?: number; operatorClass?: string }[];
  algorithm?: string;
}

export interface Datamodel {
  enums: unknown[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
}

// @types/node 20 does not declare WebAssembly (it lives in lib.dom), so declare the bit used.
type WasmModule = object;
interface WasmApi {
  Module: { new (bytes: Uint8Array): WasmModule; imports(module: WasmModule): { module: string; name: string }[] };
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface SchemaWasm {
  memory: { buffer: ArrayBuffer };
  __wbindgen_externrefs: { grow(delta: number): number; get(index: number): unknown; set(index: number, value: unknown): void };
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __wbindgen_start(): void;
  get_dmmf(ptr: number, len: number): [number, number, number, number];
}

let instance: SchemaWasm | undefined;

function schemaWasm(): SchemaWasm {
  if (instance) return instance;
  const file = join(dirname(require.resolve('prisma/package.json')), 'build', 'prisma_schema_build_bg.wasm');
  const module = new Wasm.Module(readFileSync(file));
  const decoder = new TextDecoder();
  const text = (ptr: number, len: number) => decoder.decode(new Uint8Array(exports().memory.buffer, ptr, len));
  const exports = (): SchemaWasm => {
    if (!instance) throw new Error('prisma schema wasm used before instantiation');
    return instance;
  };
  const imports: Record<string, Record<string, (...args: never[]) => unknown>> = {};
  for (const { module: moduleName, name } of Wasm.Module.imports(module)) {
    // wasm-bindgen suffixes import names with a hash; match on the stable prefix.
    let fn: (...args: never[]) => unknown;
    if (name.startsWith('__wbg_set_message_')) fn = () => undefined; // Rust panic message registry
    else if (name.startsWith('__wbg_Error_')) fn = (ptr: number, len: number) => new Error(text(ptr, len));
    else if (name.startsWith('__wbg___wbindgen_throw_')) {
      fn = (ptr: number, len: number) => {
        throw new Error(text(ptr, len));
      };
    } else if (name === '__wbindgen_init_externref_table') {
      fn = () => {
        const table = exports().__wbindgen_externrefs;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset + 0, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      };
    } else {
      throw new Error(`prisma_schema_build_bg.wasm wants an unknown import ${moduleName}.${name} (Prisma upgrade?)`);
    }
    (imports[moduleName] ??= {})[name] = fn;
  }
  instance = new Wasm.Instance(module, imports).exports as SchemaWasm;
  instance.__wbindgen_start();
  return instance;
}

/** The DMMF datamodel of a schema.prisma source, as `prisma generate` sees it. */
export function getDatamodel(schemaSource: string): Datamodel {
  const wasm = schemaWasm();
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: schemaSource, noColor: true }));
  const ptr = wasm.__wbindgen_malloc(input.length, 1);
  new Uint8Array(wasm.memory.buffer, ptr, input.length).set(input);
  const [outPtr, outLen, errRef, isErr] = wasm.get_dmmf(ptr, input.length);
  if (isErr) throw wasm.__wbindgen_externrefs.get(errRef) as Error; // the schema's validation errors
  const json = new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, outPtr, outLen));
  wasm.__wbindgen_free(outPtr, outLen, 1);
  return (JSON.parse(json) as { datamodel: Datamodel }).datamodel;
}
