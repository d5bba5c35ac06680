import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope } from '../auth/scopes';
import { OPENAPI_SCHEMAS, schemaRef } from '../openapi/openapi-document';
import type { HeartbeatResult } from '../history/fact-store.service';
import { IngestService, type IngestResult } from './ingest.service';

const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before sending again', schema: { type: 'integer', minimum: 1 } } };
const error = (status: number, description: string, headers?: typeof RETRY_AFTER) =>
  ApiResponse({ status, description, content: { 'application/json': { schema: schemaRef(OPENAPI_SCHEMAS.error) } }, ...(headers ? { headers } : {}) });
const result = (status: number, description: string, schema: Parameters<typeof schemaRef>[0] = OPENAPI_SCHEMAS.ingestResult) =>
  ApiResponse({ status, description, content: { 'application/json': { schema: schemaRef(schema) } } });

@ApiTags('ingest')
@Controller('api/v1')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /**
   * 201 when the snapshot changed the node's history (created, changed, backfilled into a gap),
   * 202 when it arrived late inside covered history and was kept as a record (status `late`, with
   * the reason), 200 when it was already known or equal. Every 2xx means delivered.
   */
  @Post('snapshots')
  @RequireScope('ingest')
  @HttpCode(200)
  @ApiBearerAuth('token')
  @ApiOperation({
    operationId: 'postSnapshot',
    summary: "Store one node's snapshot",
    description:
      'Needs a token with the ingest scope. The token and the rate limit are checked before the body is read; the body must be application/json and at most ROUTESCOPE_MAX_SNAPSHOT_BYTES.',
  })
  @ApiBody({ required: true, description: 'one snapshot, application/json', schema: schemaRef(OPENAPI_SCHEMAS.snapshot) })
  @result(200, 'unchanged (equal to the stored state) or duplicate (this snapshotId was already stored for this node)')
  @result(201, 'created (the first snapshot of this node), changed (its state changed) or backfilled (older than the latest, applied in a gap of coverage)')
  @result(202, 'late: older than the latest, inside covered history that it contradicts; kept as a record with the reason, not applied')
  @error(400, 'INVALID_SNAPSHOT (details name each failing field), TAKEN_AT_OUT_OF_RANGE (details: field, takenAt, serverTime, earliest, latest) or INVALID_JSON')
  @error(401, 'MISSING_TOKEN, INVALID_TOKEN, REVOKED_TOKEN or EXPIRED_TOKEN')
  @error(403, 'INSUFFICIENT_SCOPE: the token has no ingest scope')
  @error(409, 'SNAPSHOT_ID_CONFLICT: the snapshotId was already used by another node')
  @error(413, 'SNAPSHOT_TOO_LARGE: the body exceeds ROUTESCOPE_MAX_SNAPSHOT_BYTES')
  @error(415, 'UNSUPPORTED_MEDIA_TYPE: the body was not sent as application/json')
  @error(429, "RATE_LIMITED: the token spent its ingest budget for the window; retry after Retry-After seconds", RETRY_AFTER)
  @error(503, 'DATABASE_UNAVAILABLE: the database does not answer; retry after Retry-After seconds (nothing was stored)', RETRY_AFTER)
  async postSnapshot(@Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<IngestResult> {
    const result = await this.ingest.ingest(body);
    if (result.status === 'created' || result.status === 'changed' || result.status === 'backfilled') response.status(201);
    else if (result.status === 'late') response.status(202);
    return result;
  }

  /**
   * Contract v1.1: a heartbeat stands for a snapshot whose facts hash to the state the API
   * acknowledged last (`stateHash` of the previous answer). Always 200 when understood: the
   * answer's status says whether it was applied (`unchanged`, `duplicate`) or not (`resend`).
   */
  @Post('heartbeats')
  @RequireScope('ingest')
  @HttpCode(200)
  @ApiBearerAuth('token')
  @ApiOperation({
    operationId: 'postHeartbeat',
    summary: "Extend a node's coverage without resending an unchanged snapshot (contract v1.1)",
    description:
      'Needs a token with the ingest scope; counts against the same rate limit as snapshots. The body is a Heartbeat (at most 4 KiB): the snapshot it stands for (snapshotId, takenAt, collector) and the hash of its facts. ' +
      "When that hash is the node's stored state hash and takenAt is after the node's latest snapshot, the node's coverage and head move to takenAt exactly as for an unchanged snapshot (status `unchanged`). " +
      'Otherwise nothing is stored and the status is `resend`: post the full snapshot to POST /api/v1/snapshots. takenAt is bounded as for snapshots (ROUTESCOPE_MAX_CLOCK_SKEW, the retention window).',
  })
  @ApiBody({ required: true, description: 'one heartbeat, application/json', schema: schemaRef(OPENAPI_SCHEMAS.heartbeat) })
  @result(200, 'unchanged (coverage extended to takenAt), duplicate (this snapshotId is already stored for the node) or resend (nothing stored; post the full snapshot)', OPENAPI_SCHEMAS.heartbeatResult)
  @error(400, 'INVALID_HEARTBEAT (details name each failing field; a hashVersion this API does not use is one), TAKEN_AT_OUT_OF_RANGE (details: field, takenAt, serverTime, earliest, latest) or INVALID_JSON')
  @error(401, 'MISSING_TOKEN, INVALID_TOKEN, REVOKED_TOKEN or EXPIRED_TOKEN')
  @error(403, 'INSUFFICIENT_SCOPE: the token has no ingest scope')
  @error(409, 'SNAPSHOT_ID_CONFLICT: the snapshotId was already used by another node')
  @error(413, 'BODY_TOO_LARGE: the body exceeds 4 KiB')
  @error(415, 'UNSUPPORTED_MEDIA_TYPE: the body was not sent as application/json')
  @error(429, "RATE_LIMITED: the token spent its ingest budget for the window; retry after Retry-After seconds", RETRY_AFTER)
  @error(503, 'DATABASE_UNAVAILABLE: the database does not answer; retry after Retry-After seconds (nothing was stored)', RETRY_AFTER)
  postHeartbeat(@Body() body: unknown): Promise<HeartbeatResult> {
    return this.ingest.heartbeat(body);
  }
}
