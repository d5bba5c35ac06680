// The live probe contract (#11). Only probe-schema imports zod: the collector reaches it through
// lazy-probe-schema.ts, so its start-up never evaluates zod. Exports are listed by name.
export {
  CAPTURE_POINTS,
  PASSING_VERDICTS,
  PATH_VERDICTS,
  POD_GATEWAY_IP,
  PROBE_KINDS,
  PROBE_LIMITS,
  PROBE_VERDICTS,
  PROXY_ARP_VERDICTS,
  UNAVAILABLE_VERDICT,
  isNodeName,
  isPodNamespaceName,
  type CapturePoint,
  type ProbeKind,
  type ProbeVerdict,
} from './probe-constants';
export type { ParsedFrame, ProbeCapture, ProbeJob, ProbeJobInput, ProbePath, ProbeResult } from './probe-types';
export {
  parsedFrameSchema,
  probeCaptureSchema,
  probeJobSchema,
  probePathSchema,
  probeResultSchema,
  validateProbeJob,
  validateProbeResult,
  type ProbeValidation,
} from './probe-schema';
export { loadProbeSchema } from './lazy-probe-schema';
export { captureFromOutput, type CaptureSource } from './probe-capture';
export { judgeProbe, type ProbeJudgeInput, type ProbeJudgement, type ProbeRoute } from './probe-verdict';
