import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Database } from '@routescope/db';

/** The database handle: inject it in a module that imports DatabaseModule. */
export const DATABASE = Symbol('DATABASE');

/** The handle main.ts (or a test) opened, a boot value like the config: only DatabaseModule reads it. */
const OPENED_DATABASE = Symbol('OPENED_DATABASE');

/**
 * The already-migrated database handle that main.ts (or a test) opened, so that start-up order
 * stays explicit: config → database → migrations → Nest. The root imports
 * `DatabaseModule.forDatabase(database)` once (it hands the opened handle over, the way the
 * config module hands the config over); every module whose providers query the database imports
 * `DatabaseModule` itself, so its dependency shows in its imports.
 */
@Module({ providers: [{ provide: DATABASE, useExisting: OPENED_DATABASE }], exports: [DATABASE] })
export class DatabaseModule {
  static forDatabase(database: Database): DynamicModule {
    return { module: OpenedDatabaseModule, global: true, providers: [{ provide: OPENED_DATABASE, useValue: database }], exports: [OPENED_DATABASE] };
  }
}

/**
 * Holds the opened handle for DatabaseModule (see forDatabase); nothing else injects it. It
 * closes the database: being global, Nest runs its shutdown hook after every other module's
 * (which may still be finishing work on the database).
 */
@Module({})
class OpenedDatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(OPENED_DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
