// Jest runs CommonJS through vm.Script, where a dynamic import() throws unless node runs with
// --experimental-vm-modules. PGlite's CommonJS build loads node builtins that way
// (`await import("fs/promises")`), so this transform rewrites exactly those imports, of
// builtins only, into require(). Use it in any jest project that opens PGlite:
//   transform: { [pglitePattern]: '<path>/libs/db/jest/pglite-transform.cjs' },
//   transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
// (spread from libs/db/jest/pglite.cjs, which exports both).
const { createHash } = require('node:crypto');
const { isBuiltin } = require('node:module');

const DYNAMIC_IMPORT = /\bimport\((["'])([^"']+)\1\)/g;

module.exports = {
  process(source) {
    let rewritten = false;
    const code = source.replace(DYNAMIC_IMPORT, (call, quote, name) => {
      if (!isBuiltin(name)) return call;
      rewritten = true;
      return `Promise.resolve().then(() => __pgliteJestRequire(${quote}${name}${quote}))`;
    });
    // An alias taken at the module's top level: the emscripten code declares its own
    // `var require` inside functions, which would shadow a bare `require` there.
    return { code: rewritten ? `var __pgliteJestRequire = require;${code}` : code };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update('pglite-transform-2').update(path).update(source).digest('hex');
  },
};
