import type { ClusterState, NamespaceState } from './cluster-state';
import type { FactRef, TraceStep, TraceStop, TraceStopReason } from './trace-types';

/** One IPv4 packet as the walk carries it; `src` is filled in by the first route of a locally sent one. */
export interface Packet {
  src?: string;
  dst: string;
  /** the whole IP packet, bytes */
  size: number;
  dontFragment: boolean;
}

export type LegEnd = { delivered: true; at: NamespaceState; src: string } | { delivered: false; stop: TraceStop };

/** Where a packet goes next: into `ns`, received on `dev`. */
export interface Arrival {
  ns: NamespaceState;
  dev: string;
}

export type Stopped = { delivered: false; stop: TraceStop };

/** What the link-layer and tunnel steps need of the walk (path-walk.ts implements it). */
export interface WalkContext {
  readonly cluster: ClusterState;
  hop(at: NamespaceState, step: TraceStep, detail: string, evidence: FactRef[]): void;
  stop(reason: TraceStopReason, at: NamespaceState, detail: string, evidence: FactRef[]): Stopped;
  walk(start: NamespaceState, sent: Packet, inDev?: string, depth?: number): LegEnd;
}
