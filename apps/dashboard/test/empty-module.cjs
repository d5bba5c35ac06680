// `server-only` is resolved by Next at build time; in Jest it is an empty module.
module.exports = {};
