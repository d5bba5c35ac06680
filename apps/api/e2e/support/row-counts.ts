import { Client } from 'pg';

// Rows of the history tables, read straight from PostgreSQL beside the API process. Not a spec.

export interface RowCounts {
  nodes: number;
  snapshots: number;
  facts: number;
  coverage: number;
}

export class RowCounter {
  private readonly client: Client;

  constructor(databaseUrl: string) {
    this.client = new Client({ connectionString: databaseUrl });
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async counts(): Promise<RowCounts> {
    const { rows } = await this.client.query<Record<keyof RowCounts, string>>(
      'SELECT (SELECT count(*) FROM node) AS nodes, (SELECT count(*) FROM snapshot) AS snapshots, (SELECT count(*) FROM fact) AS facts, (SELECT count(*) FROM coverage) AS coverage',
    );
    return { nodes: Number(rows[0].nodes), snapshots: Number(rows[0].snapshots), facts: Number(rows[0].facts), coverage: Number(rows[0].coverage) };
  }

  end(): Promise<void> {
    return this.client.end();
  }
}
