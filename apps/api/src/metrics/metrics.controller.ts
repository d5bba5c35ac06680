import { Controller, Get, Headers, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsService } from './metrics.service';

/** GET /metrics on the API's port, unless ROUTESCOPE_METRICS_PORT moves it to its own (main.ts). */
// Prometheus' text exposition, for scrapers (README: Metrics and logs), not part of the REST contract.
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(private readonly service: MetricsService) {}

  @Get('metrics')
  async metrics(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    if (this.service.onOwnPort) throw new NotFoundException('metrics are served on ROUTESCOPE_METRICS_PORT');
    if (!this.service.authorized(authorization)) throw new UnauthorizedException('send ROUTESCOPE_METRICS_TOKEN as a bearer token');
    const { contentType, body } = await this.service.scrape();
    response.status(200).type(contentType).send(body);
  }
}
