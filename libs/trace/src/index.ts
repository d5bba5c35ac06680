export {
  TRACE_STOP_REASONS,
  TRACE_STEPS,
  TraceRequestError,
  type FactRef,
  type TraceEndpoint,
  type TraceHop,
  type TraceLeg,
  type TraceNodeState,
  type TracePodContext,
  type TraceRequest,
  type TraceResult,
  type TraceStep,
  type TraceStop,
  type TraceStopReason,
  type TraceVerdict,
} from './trace-types';
export { tracePath, calicoVethName, DEFAULT_TRACE_SIZE } from './trace-path';
export { TUNNEL_OVERHEAD } from './tunnel-encapsulation';
