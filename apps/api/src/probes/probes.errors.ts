export enum ProbeErrorCode {
  /** requestProbe input: unknown node or pod, a target that is no IP literal, a kind that needs one … */
  InvalidProbeRequest = 'INVALID_PROBE_REQUEST',
  /** a probe is already queued or running on the node: one at a time per node */
  ProbeBusy = 'PROBE_BUSY',
  ProbeNotFound = 'PROBE_NOT_FOUND',
  /** a result for a probe that is not waiting for one (never pulled, already answered, expired) */
  ProbeNotDispatched = 'PROBE_NOT_DISPATCHED',
  /** a result body that does not follow the probe contract (libs/probe) */
  InvalidProbeResult = 'INVALID_PROBE_RESULT',
}

export class ProbeError extends Error {
  constructor(
    readonly code: ProbeErrorCode,
    message: string,
    /** INVALID_PROBE_RESULT / INVALID_PROBE_REQUEST: the failing fields */
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}
