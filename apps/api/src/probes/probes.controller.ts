import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isNodeName, type ProbeJob } from '@routescope/probe';
import type { Response } from 'express';
import { RequireScope } from '../auth/scopes';
import { OPENAPI_SCHEMAS, schemaRef } from '../openapi/openapi-document';
import { ProbeError, ProbeErrorCode } from './probes.errors';
import { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, ProbesService } from './probes.service';

const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before asking again', schema: { type: 'integer', minimum: 1 } } };
const error = (status: number, description: string, headers?: typeof RETRY_AFTER) =>
  ApiResponse({ status, description, content: { 'application/json': { schema: schemaRef(OPENAPI_SCHEMAS.error) } }, ...(headers ? { headers } : {}) });

/**
 * The collectors' side of live probes: they pull, the API never connects to a node. A collector
 * long-polls for its node's next job and posts what it observed.
 */
@ApiTags('probes')
@Controller('api/v1/probes')
export class ProbesController {
  constructor(private readonly probes: ProbesService) {}

  @Get('next')
  @RequireScope('probe-runner')
  @ApiBearerAuth('token')
  @ApiOperation({
    operationId: 'nextProbe',
    summary: "Wait for the node's next probe job",
    description:
      'Long-poll: answers as soon as a probe is requested for the node (within about a second, whichever API replica it was requested on) or after `wait` seconds with 204. The job answered is dispatched: post its result before its timeoutMs plus 15 s, or it becomes collector-unreachable. Needs a token with the probe-runner scope.',
  })
  @ApiQuery({ name: 'node', required: true, description: "the node's name, as its collector reports it", schema: { type: 'string' } })
  @ApiQuery({ name: 'wait', required: false, description: `seconds to wait for a job (0–${MAX_WAIT_SECONDS}, default ${DEFAULT_WAIT_SECONDS})`, schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS, default: DEFAULT_WAIT_SECONDS } })
  @ApiResponse({ status: 200, description: 'the next job (now dispatched)', content: { 'application/json': { schema: schemaRef(OPENAPI_SCHEMAS.probeJob) } } })
  @ApiResponse({ status: 204, description: 'no job was requested for the node within `wait` seconds: ask again' })
  @error(400, 'INVALID_PROBE_REQUEST: node missing or not a node name, or wait out of range (details name the field)')
  @error(401, 'MISSING_TOKEN, INVALID_TOKEN, REVOKED_TOKEN or EXPIRED_TOKEN')
  @error(403, 'INSUFFICIENT_SCOPE: the token has no probe-runner scope')
  @error(429, 'RATE_LIMITED: the token spent its probes budget for the window (ROUTESCOPE_RATE_LIMIT_PROBES)', RETRY_AFTER)
  @error(503, 'DATABASE_UNAVAILABLE: the database does not answer; retry after Retry-After seconds', RETRY_AFTER)
  async next(@Query('node') node: unknown, @Query('wait') wait: unknown, @Res({ passthrough: true }) response: Response): Promise<ProbeJob | undefined> {
    if (typeof node !== 'string' || !isNodeName(node)) throw invalid('node', 'give the node name (?node=NAME), a Kubernetes node name');
    const seconds = wait === undefined ? DEFAULT_WAIT_SECONDS : Number(wait);
    if (typeof wait !== 'undefined' && (typeof wait !== 'string' || !/^\d+$/.test(wait) || seconds > MAX_WAIT_SECONDS)) {
      throw invalid('wait', `must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
    }
    // The response's close (not the request's, which closes once its empty body is read) tells that the collector went away.
    const gone = new AbortController();
    response.on('close', () => gone.abort());
    const job = await this.probes.next(node, seconds, gone.signal);
    if (!job) {
      response.status(204);
      return undefined;
    }
    response.status(200);
    return job;
  }

  @Post(':id/result')
  @RequireScope('probe-runner')
  @HttpCode(204)
  @ApiBearerAuth('token')
  @ApiOperation({
    operationId: 'postProbeResult',
    summary: 'Post what a probe observed',
    description: 'Needs a token with the probe-runner scope. The body follows the probe contract (libs/probe); a failed proxy-arp probe opens PROBE_PROXY_ARP_FAILED on its pod, a verified one resolves it.',
  })
  @ApiParam({ name: 'id', description: 'the job id from GET /api/v1/probes/next' })
  @ApiBody({ required: true, description: 'the result, application/json', schema: schemaRef(OPENAPI_SCHEMAS.probeResult) })
  @ApiResponse({ status: 204, description: 'stored' })
  @error(400, 'INVALID_PROBE_RESULT (details name each failing field), INVALID_JSON')
  @error(401, 'MISSING_TOKEN, INVALID_TOKEN, REVOKED_TOKEN or EXPIRED_TOKEN')
  @error(403, 'INSUFFICIENT_SCOPE: the token has no probe-runner scope')
  @error(404, 'PROBE_NOT_FOUND: no probe has this id')
  @error(409, 'PROBE_NOT_DISPATCHED: the probe is not waiting for a result (never pulled, already answered, expired or collector-unreachable)')
  @error(413, 'PAYLOAD_TOO_LARGE: the body exceeds 1 MiB (the contract bounds a result well below it)')
  @error(415, 'UNSUPPORTED_MEDIA_TYPE: the body was not sent as application/json')
  @error(429, 'RATE_LIMITED: the token spent its probes budget for the window (ROUTESCOPE_RATE_LIMIT_PROBES)', RETRY_AFTER)
  @error(503, 'DATABASE_UNAVAILABLE: the database does not answer; retry after Retry-After seconds (nothing was stored)', RETRY_AFTER)
  async result(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    await this.probes.result(id, body);
  }
}

function invalid(path: string, message: string): ProbeError {
  return new ProbeError(ProbeErrorCode.InvalidProbeRequest, `${path}: ${message}`, [{ path, message }]);
}
