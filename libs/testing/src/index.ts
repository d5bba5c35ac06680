// @routescope/testing: what the test suites share (ports, waiting for an event, a scratch PostgreSQL database, the API
// as a process, a fake Kubernetes API server speaking the real wire protocol, a Prometheus text reader). Only tests,
// e2e support and the tools import it; lint keeps it out of the apps' and libraries' sources.
export { freePort } from './ports';
export { until } from './until';
export { scratchDatabase, onPostgresServer, testServerUrl, type ScratchDatabase } from './scratch-database';
export * from './fake-kube-apiserver';
export { parseExposition, type Exposition, type Sample } from './prometheus-text';
export { launchApi, untilChecksIdle, builtApiBundle, workspaceRootAbove, type LaunchApiOptions, type LaunchedApi, type ApiExit } from './api-launcher';
