// Runs `npm start -- --lab` for real (API, dashboard, collectors in the netns lab): root only,
// after the builds (project.json's e2e depends on them), under flock /tmp/netlab.lock.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'start-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 300000,
};
