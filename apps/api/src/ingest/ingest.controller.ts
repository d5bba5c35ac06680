import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireScope } from '../auth/scopes';
import { IngestError, IngestErrorCode } from './ingest.errors';
import { IngestService, type IngestResult } from './ingest.service';

@Controller('api/v1')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /** 201 when the snapshot changed the node's state, 200 when it was already known or equal. */
  @Post('snapshots')
  @RequireScope('ingest')
  @HttpCode(200)
  async postSnapshot(@Body() body: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<IngestResult> {
    // The JSON body parser only reads application/json; anything else would reach validation as "no document".
    if (!request.is('application/json')) {
      const sent = request.headers['content-type'];
      throw new IngestError(IngestErrorCode.UnsupportedMediaType, `send the snapshot as JSON with content-type: application/json (got ${sent ? `"${sent}"` : 'no content type'})`);
    }
    const result = await this.ingest.ingest(body);
    if (result.status === 'created' || result.status === 'changed') response.status(201);
    return result;
  }
}
