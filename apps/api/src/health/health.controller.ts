import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Database } from '@routescope/db';
import type { Response } from 'express';
import { DATABASE } from '../database/database.module';

@Controller()
export class HealthController {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and every migration is applied. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) response: Response): Promise<{ status: string; database: string; pendingMigrations?: string[]; error?: string }> {
    try {
      const status = await this.database.status();
      if (status.pending.length > 0) {
        response.status(503);
        return { status: 'not ready', database: this.database.kind, pendingMigrations: status.pending };
      }
      return { status: 'ready', database: this.database.kind };
    } catch (error) {
      response.status(503);
      return { status: 'not ready', database: this.database.kind, error: (error as Error).message };
    }
  }
}
