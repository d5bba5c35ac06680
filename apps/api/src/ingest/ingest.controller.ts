import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RequireScope } from '../auth/scopes';
import { IngestService, type IngestResult } from './ingest.service';

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
  async postSnapshot(@Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<IngestResult> {
    const result = await this.ingest.ingest(body);
    if (result.status === 'created' || result.status === 'changed' || result.status === 'backfilled') response.status(201);
    else if (result.status === 'late') response.status(202);
    return result;
  }
}
