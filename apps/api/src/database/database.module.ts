import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Database } from '@routescope/db';

export const DATABASE = Symbol('DATABASE');

/**
 * Provides the already-migrated database handle that main.ts (or a test) opened, so that
 * start-up order stays explicit: config → database → migrations → Nest.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  static forDatabase(database: Database) {
    return { module: DatabaseModule, providers: [{ provide: DATABASE, useValue: database }], exports: [DATABASE] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
