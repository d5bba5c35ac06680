// The Dockerfiles rendered against a built tree, and docker-compose.yml: project.json's
// `e2e` target (run by `npm test`) runs the build targets first.
module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'deploy-images',
  rootDir: __dirname,
  testMatch: ['<rootDir>/images.spec.ts'],
  testTimeout: 60000,
};
