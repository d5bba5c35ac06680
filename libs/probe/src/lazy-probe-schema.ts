import type * as ProbeSchema from './probe-schema';

let probeSchema: typeof ProbeSchema | undefined;

/**
 * The zod schemas, required on first use rather than imported: the collector validates a job
 * only when one arrives, and its bundle keeps zod out of start-up (apps/collector/build.mjs
 * embeds this module's require as it does libs/snapshot's lazy contract).
 */
export function loadProbeSchema(): typeof ProbeSchema {
  return (probeSchema ??= require('./probe-schema') as typeof ProbeSchema);
}
