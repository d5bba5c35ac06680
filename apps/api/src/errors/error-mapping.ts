import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { DATABASE_RETRY_AFTER_SECONDS, DatabaseError, DatabaseErrorCode, unavailableDatabaseError } from '../database/database.errors';
import { GraphqlInputError, GraphqlInputErrorCode } from '../graphql/graphql-input.errors';
import { GraphqlLimitError, GraphqlLimitErrorCode } from '../graphql/graphql-limits.errors';
import { ChecksError, ChecksErrorCode } from '../checks/checks.errors';
import { ClusterError, ClusterErrorCode } from '../cluster/cluster.errors';
import { HistoryError, HistoryErrorCode } from '../history/history.errors';
import { IngestError, IngestErrorCode } from '../ingest/ingest.errors';
import { SilencesError, SilencesErrorCode } from '../silences/silences.errors';
import { ProbeError, ProbeErrorCode } from '../probes/probes.errors';
import { TraceError, TraceErrorCode } from '../trace/trace.errors';
import { TransportError, TransportErrorCode } from '../transport/transport.errors';

/** Codes clients see: HTTP status for REST, `extensions.code` for GraphQL. */
export interface PublicError {
  status: number;
  graphqlCode:
    | 'UNAUTHENTICATED'
    | 'FORBIDDEN'
    | 'BAD_USER_INPUT'
    | 'BAD_REQUEST'
    | 'GRAPHQL_VALIDATION_FAILED'
    | 'NOT_FOUND'
    | 'CONFLICT'
    | 'PAYLOAD_TOO_LARGE'
    | 'RESPONSE_TOO_LARGE'
    | 'RATE_LIMITED'
    | 'UNAVAILABLE'
    | 'INTERNAL_SERVER_ERROR';
  /** the module's own code, for machines (e.g. TAKEN_AT_OUT_OF_RANGE). */
  reason: string;
  message: string;
  details?: unknown;
  /** REST: the `Retry-After` header (seconds) of an error worth retrying later. */
  retryAfterSeconds?: number;
}

function exhaustive(value: never): never {
  throw new Error(`unmapped error code ${String(value)}`);
}

/**
 * The one place domain errors become public errors; adding a code without a mapping fails to
 * compile. A driver error that says PostgreSQL is down becomes DatabaseError(Unavailable) first,
 * whichever module's query met it.
 */
export function toPublicError(thrown: unknown): PublicError | undefined {
  const error = unavailableDatabaseError(thrown) ?? thrown;
  if (error instanceof DatabaseError) {
    switch (error.code) {
      case DatabaseErrorCode.Unavailable:
        return { status: 503, graphqlCode: 'UNAVAILABLE', reason: error.code, message: error.message, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof AuthError) {
    switch (error.code) {
      case AuthErrorCode.MissingToken:
      case AuthErrorCode.InvalidToken:
      case AuthErrorCode.RevokedToken:
      case AuthErrorCode.ExpiredToken:
        return { status: 401, graphqlCode: 'UNAUTHENTICATED', reason: error.code, message: error.message };
      case AuthErrorCode.InsufficientScope:
        return { status: 403, graphqlCode: 'FORBIDDEN', reason: error.code, message: error.message };
      case AuthErrorCode.TokenNotFound:
        return { status: 404, graphqlCode: 'NOT_FOUND', reason: error.code, message: error.message };
      case AuthErrorCode.TokenNameTaken:
      case AuthErrorCode.EnvSeededToken:
        return { status: 409, graphqlCode: 'CONFLICT', reason: error.code, message: error.message };
      case AuthErrorCode.InvalidTokenRequest:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof IngestError) {
    switch (error.code) {
      case IngestErrorCode.InvalidSnapshot:
      case IngestErrorCode.InvalidHeartbeat:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message, details: error.issues };
      case IngestErrorCode.SnapshotTooLarge:
        return { status: 413, graphqlCode: 'PAYLOAD_TOO_LARGE', reason: error.code, message: error.message };
      case IngestErrorCode.TakenAtOutOfRange:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message, details: error.bounds };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof HistoryError) {
    switch (error.code) {
      case HistoryErrorCode.NodeNotFound:
        return { status: 404, graphqlCode: 'NOT_FOUND', reason: error.code, message: error.message };
      case HistoryErrorCode.InvalidTimeRange:
      case HistoryErrorCode.InvalidCursor:
      case HistoryErrorCode.InvalidArgument:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message };
      case HistoryErrorCode.SnapshotIdConflict:
        return { status: 409, graphqlCode: 'CONFLICT', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof TransportError) {
    switch (error.code) {
      case TransportErrorCode.RateLimited:
        return { status: 429, graphqlCode: 'RATE_LIMITED', reason: error.code, message: error.message };
      case TransportErrorCode.BodyTooLarge:
        return { status: 413, graphqlCode: 'PAYLOAD_TOO_LARGE', reason: error.code, message: error.message };
      case TransportErrorCode.UnsupportedMediaType:
        return { status: 415, graphqlCode: 'BAD_REQUEST', reason: error.code, message: error.message };
      case TransportErrorCode.InvalidJson:
      case TransportErrorCode.BatchingNotSupported:
        return { status: 400, graphqlCode: 'BAD_REQUEST', reason: error.code, message: error.message };
      case TransportErrorCode.MethodNotAllowed:
        return { status: 405, graphqlCode: 'BAD_REQUEST', reason: error.code, message: error.message };
      case TransportErrorCode.RouteNotFound:
        return { status: 404, graphqlCode: 'NOT_FOUND', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof GraphqlLimitError) {
    switch (error.code) {
      case GraphqlLimitErrorCode.QueryTooDeep:
      case GraphqlLimitErrorCode.TooManyRootFields:
      case GraphqlLimitErrorCode.QueryTooCostly:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message };
      case GraphqlLimitErrorCode.UnsupportedOperation:
        return { status: 400, graphqlCode: 'GRAPHQL_VALIDATION_FAILED', reason: error.code, message: error.message };
      case GraphqlLimitErrorCode.ResponseTooLarge:
        return { status: 200, graphqlCode: 'RESPONSE_TOO_LARGE', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof GraphqlInputError) {
    switch (error.code) {
      case GraphqlInputErrorCode.InvalidDateTime:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof ChecksError) {
    switch (error.code) {
      case ChecksErrorCode.CaptureTooLarge:
        return { status: 413, graphqlCode: 'PAYLOAD_TOO_LARGE', reason: error.code, message: error.message };
      case ChecksErrorCode.InvalidCaptureContext:
      case ChecksErrorCode.InvalidArgument:
      case ChecksErrorCode.InvalidTimeRange:
      case ChecksErrorCode.InvalidCursor:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof ClusterError) {
    switch (error.code) {
      // The server's own Kubernetes configuration: nothing a client sent or can fix.
      case ClusterErrorCode.InvalidKubeConfig:
      case ClusterErrorCode.NoKubeConfig:
        return { status: 500, graphqlCode: 'INTERNAL_SERVER_ERROR', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof SilencesError) {
    switch (error.code) {
      case SilencesErrorCode.InvalidSilence:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message };
      case SilencesErrorCode.SilenceNotFound:
        return { status: 404, graphqlCode: 'NOT_FOUND', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof ProbeError) {
    switch (error.code) {
      case ProbeErrorCode.InvalidProbeRequest:
      case ProbeErrorCode.InvalidProbeResult:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message, ...(error.issues.length ? { details: error.issues } : {}) };
      case ProbeErrorCode.ProbeNotFound:
        return { status: 404, graphqlCode: 'NOT_FOUND', reason: error.code, message: error.message };
      case ProbeErrorCode.ProbeBusy:
      case ProbeErrorCode.ProbeNotDispatched:
        return { status: 409, graphqlCode: 'CONFLICT', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof TraceError) {
    switch (error.code) {
      case TraceErrorCode.UnknownNode:
      case TraceErrorCode.UnknownPod:
        return { status: 404, graphqlCode: 'NOT_FOUND', reason: error.code, message: error.message };
      case TraceErrorCode.InvalidAddress:
      case TraceErrorCode.InvalidArgument:
      case TraceErrorCode.WindowTooLarge:
        return { status: 400, graphqlCode: 'BAD_USER_INPUT', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  return undefined;
}
