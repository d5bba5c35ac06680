import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];
import { probeJobSchema, probeResultSchema } from '@routescope/probe';
import { heartbeatSchema, SCHEMA_VERSION, snapshotSchema, STATE_HASH_VERSION } from '@routescope/snapshot';
import { z } from 'zod';
import { AuthErrorCode } from '../auth/auth.errors';
import { DatabaseErrorCode } from '../database/database.errors';
import { HistoryErrorCode } from '../history/history.errors';
import type { HeartbeatStatus } from '../history/fact-store.service';
import type { IngestStatus } from '../ingest/ingest.service';
import { IngestErrorCode } from '../ingest/ingest.errors';
import { ProbeErrorCode } from '../probes/probes.errors';
import { TransportErrorCode } from '../transport/transport.errors';

/** Where the API serves its OpenAPI document and Swagger UI (no token needed: both are GETs without a body). */
export const OPENAPI_DOCS_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';

/** Component names the controllers' decorators reference (`#/components/schemas/<name>`). */
export const OPENAPI_SCHEMAS = {
  snapshot: 'Snapshot',
  ingestResult: 'IngestResult',
  heartbeat: 'Heartbeat',
  heartbeatResult: 'HeartbeatResult',
  error: 'Error',
  readiness: 'Readiness',
  probeJob: 'ProbeJob',
  probeResult: 'ProbeResult',
} as const;

export const schemaRef = (name: (typeof OPENAPI_SCHEMAS)[keyof typeof OPENAPI_SCHEMAS]) => ({ $ref: `#/components/schemas/${name}` });

/**
 * The snapshot request schema is generated from the zod contract (libs/snapshot), never written
 * by hand: a field added to the contract appears here, and the committed openapi.json's drift
 * test fails until it is regenerated. Refinements zod cannot express in JSON Schema (one host
 * namespace, address families matching, storable text) stay in the contract; the API answers
 * 400 with the failing path for them.
 */
export function snapshotJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(snapshotSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  // The document carries its own dialect (OpenAPI 3.1 = JSON Schema 2020-12): a component has no $schema.
  const { $schema: _dialect, ...schema } = generated;
  if ('$defs' in schema) throw new Error('the snapshot contract produced $defs: hoist them into components before publishing');
  return { ...schema, description: `One node's network state at one moment (wire contract version ${SCHEMA_VERSION}), generated from libs/snapshot's zod schema.` };
}

/** The codes of POST /api/v1/snapshots' own checks: ingest's, and the fact store's snapshot-id conflict. */
const SNAPSHOT_ROUTE_CODES = [IngestErrorCode.InvalidSnapshot, IngestErrorCode.InvalidHeartbeat, IngestErrorCode.SnapshotTooLarge, HistoryErrorCode.SnapshotIdConflict, IngestErrorCode.TakenAtOutOfRange] as const;
// Every ingest code is listed: adding one to IngestErrorCode without listing it fails to compile.
const everyIngestCodeListed: Exclude<IngestErrorCode, (typeof SNAPSHOT_ROUTE_CODES)[number]> extends never ? true : never = true;
void everyIngestCodeListed;

const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Every REST error: a machine-readable code, a sentence for people, and for INVALID_SNAPSHOT the failing fields.',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      description: `The code for machines; one of ${[...SNAPSHOT_ROUTE_CODES, ...Object.values(TransportErrorCode), ...Object.values(AuthErrorCode), ...Object.values(DatabaseErrorCode), ...Object.values(ProbeErrorCode), 'INTERNAL'].join(', ')} (each status below says which it carries).`,
    },
    message: { type: 'string', description: 'What went wrong and, where it helps, what to do.' },
    details: {
      type: 'array',
      description: 'INVALID_SNAPSHOT, INVALID_PROBE_RESULT: one entry per failing field.',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          path: { type: 'string', description: 'the field, e.g. namespaces[0].routes[3].dst' },
          message: { type: 'string' },
        },
      },
    },
  },
};

/** A probe contract schema (libs/probe's zod), as a component: generated, never written by hand. */
function probeJsonSchema(schema: z.ZodType, io: 'input' | 'output', description: string): SchemaObject {
  const { $schema: _dialect, ...generated } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  if ('$defs' in generated) throw new Error('the probe contract produced $defs: hoist them into components before publishing');
  return { ...generated, description } as SchemaObject;
}

/** Every status the ingest answers; a status the service adds fails to compile below until it is documented. */
const INGEST_STATUSES = ['created', 'changed', 'unchanged', 'duplicate', 'backfilled', 'late'] as const;
type Documented<T extends (typeof INGEST_STATUSES)[number]> = T;
export type IngestStatusesDocumented = Documented<IngestStatus>;

const INGEST_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'changes', 'node', 'stateVersion'],
  properties: {
    status: {
      type: 'string',
      enum: [...INGEST_STATUSES],
      description:
        'created: the first snapshot of this node; changed: its state changed; unchanged: equal to the stored state; duplicate: this snapshotId was already stored for the node; backfilled (201): older than the node\'s latest, applied in a gap of its coverage as in-order delivery would have; late (202): older than the node\'s latest and inside covered history that it contradicts, kept as a record with the reason, not applied.',
    },
    changes: { type: 'integer', minimum: 0, description: 'facts opened or closed by this snapshot' },
    node: { type: 'string' },
    stateVersion: { type: 'integer', minimum: 0, description: "the node's state version after this snapshot" },
    reason: { type: 'string', description: 'late only: why the snapshot was kept as a record and not applied' },
    stateHash: {
      type: 'string',
      description:
        "created, changed, unchanged (in order): the node's state hash, now this snapshot's. Contract v1.1: a collector may send a later snapshot whose facts hash to it as a heartbeat (POST /api/v1/heartbeats).",
    },
  },
};

/** Every status a heartbeat answers; a status added to HeartbeatStatus fails to compile until it is documented. */
const HEARTBEAT_STATUSES = ['unchanged', 'duplicate', 'resend'] as const;
type DocumentedHeartbeat<T extends (typeof HEARTBEAT_STATUSES)[number]> = T;
export type HeartbeatStatusesDocumented = DocumentedHeartbeat<HeartbeatStatus>;

const HEARTBEAT_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'node'],
  properties: {
    status: {
      type: 'string',
      enum: [...HEARTBEAT_STATUSES],
      description:
        "unchanged: the node's stored state has this hash; its coverage and latest snapshot moved to takenAt. duplicate: this snapshotId is already stored for the node. resend: nothing was stored (unknown node, another state hash, takenAt not after the node's latest): post the full snapshot.",
    },
    node: { type: 'string' },
    stateVersion: { type: 'integer', minimum: 0, description: "unchanged, duplicate: the node's state version" },
    stateHash: { type: 'string', description: "unchanged (and a duplicate of the node's latest snapshot): the node's state hash, still the one to send heartbeats for" },
    reason: { type: 'string', description: 'resend: why, in a sentence' },
  },
};

/** The heartbeat request schema, generated from the zod contract like the snapshot's. */
function heartbeatJsonSchema(): SchemaObject {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(heartbeatSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  if ('$defs' in schema) throw new Error('the heartbeat contract produced $defs: hoist them into components before publishing');
  return {
    ...schema,
    description: `Contract v1.1: stands for a snapshot (snapshotId, takenAt, collector) whose facts hash to stateHash (libs/snapshot hashFacts, hashVersion ${STATE_HASH_VERSION}); generated from libs/snapshot's zod schema.`,
  } as SchemaObject;
}

const READINESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'database', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not ready'] },
    database: { type: 'string', enum: ['postgres', 'pglite'] },
    checks: {
      type: 'object',
      description: "each dependency's verdict; redis only when ROUTESCOPE_REDIS_URL is set",
      properties: {
        database: { type: 'string', enum: ['ok', 'unreachable', 'migrations pending'] },
        redis: { type: 'string', enum: ['ok', 'unreachable'] },
      },
    },
    failed: { type: 'array', items: { type: 'string', enum: ['database', 'redis'] }, description: 'the dependencies that failed, when not ready' },
    pendingMigrations: { type: 'array', items: { type: 'string' } },
  },
};

/** The OpenAPI document of the REST routes (GraphQL has its own schema: apps/api/schema.graphql). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Routescope REST API')
    .setDescription(
      'Snapshot ingest, the live-probe channel of collectors and health probes. History, checks and token administration are GraphQL (POST /graphql; the SDL is apps/api/schema.graphql). ' +
        'Every error body is `{error, message, details?}`; 429 and 503 carry Retry-After.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API token (routescope-admin or ROUTESCOPE_*_TOKEN)' }, 'token')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      [OPENAPI_SCHEMAS.snapshot]: snapshotJsonSchema() as SchemaObject,
      [OPENAPI_SCHEMAS.ingestResult]: INGEST_RESULT_SCHEMA,
      [OPENAPI_SCHEMAS.heartbeat]: heartbeatJsonSchema(),
      [OPENAPI_SCHEMAS.heartbeatResult]: HEARTBEAT_RESULT_SCHEMA,
      [OPENAPI_SCHEMAS.error]: ERROR_SCHEMA,
      [OPENAPI_SCHEMAS.readiness]: READINESS_SCHEMA,
      [OPENAPI_SCHEMAS.probeJob]: probeJsonSchema(probeJobSchema, 'output', 'A live probe for the node’s collector to run (libs/probe’s contract).'),
      [OPENAPI_SCHEMAS.probeResult]: probeJsonSchema(probeResultSchema, 'input', 'What the collector observed running a probe: verdict, bounded tcpdump captures with their parsed frames, ping counts (libs/probe’s contract).'),
    },
  };
  return document;
}

/** Serves the document at /api/docs/openapi.json and Swagger UI (assets from swagger-ui-dist, no CDN) at /api/docs. */
export function serveOpenApiDocument(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(OPENAPI_DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    // Swagger UI would otherwise send the document to validator.swagger.io for its badge.
    swaggerOptions: { validatorUrl: null },
  });
}
