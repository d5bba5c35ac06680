// Jest settings a project needs to open PGlite in tests (see pglite-transform.cjs for why).
// Merge into a jest config: { ...preset, ...pglite, transform: { ...preset.transform, ...pglite.transform } }.
const path = require('node:path');

module.exports = {
  transform: {
    '[\\\\/]node_modules[\\\\/]@electric-sql[\\\\/]pglite[\\\\/]dist[\\\\/].+\\.c?js$': path.join(__dirname, 'pglite-transform.cjs'),
  },
  transformIgnorePatterns: ['[\\\\/]node_modules[\\\\/](?!@electric-sql[\\\\/]pglite[\\\\/])'],
};
