import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { HistoryError, HistoryErrorCode } from '../history/history.errors';
import { IngestError, IngestErrorCode } from '../ingest/ingest.errors';

/** Codes clients see: HTTP status for REST, `extensions.code` for GraphQL. */
export interface PublicError {
  status: number;
  graphqlCode: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL_SERVER_ERROR';
  /** the module's own code, for machines (e.g. TAKEN_AT_OUT_OF_RANGE). */
  reason: string;
  message: string;
  details?: unknown;
}

function exhaustive(value: never): never {
  throw new Error(`unmapped error code ${String(value)}`);
}

/** The one place domain errors become public errors; adding a code without a mapping fails to compile. */
export function toPublicError(error: unknown): PublicError | undefined {
  if (error instanceof AuthError) {
    switch (error.code) {
      case AuthErrorCode.MissingToken:
      case AuthErrorCode.InvalidToken:
      case AuthErrorCode.RevokedToken:
        return { status: 401, graphqlCode: 'UNAUTHENTICATED', reason: error.code, message: error.message };
      case AuthErrorCode.InsufficientScope:
        return { status: 403, graphqlCode: 'FORBIDDEN', reason: error.code, message: error.message };
      default:
        return exhaustive(error.code);
    }
  }
  if (error instanceof IngestError) {
    switch (error.code) {
      case IngestErrorCode.InvalidSnapshot:
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
      default:
        return exhaustive(error.code);
    }
  }
  return undefined;
}
