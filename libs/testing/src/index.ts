// @routescope/testing: what the test suites share (ports, waiting for an event). Only tests,
// e2e support and the tools import it; lint keeps it out of the apps' and libraries' sources.
export { freePort } from './ports';
export { until } from './until';
