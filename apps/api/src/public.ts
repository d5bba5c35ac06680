// The API's public entry for tooling that drives the application in-process (the bench, through
// bench/run.mjs's bundle): what it may build, call and type against. The server's own entry is
// main.ts; nothing in the API imports this file.
export { createApiApplication } from './api-application';
export { loadApiConfig, type ApiConfig } from './config/api-config';
export { ClusterLeadership, type LeadershipStatus } from './checks/cluster-leadership.service';
export { HistoryEvents, type StateListener } from './events/history-events';
export { IngestService, type IngestResult, type IngestStatus } from './ingest/ingest.service';
export { RetentionService, type RetentionRun, type RetentionSettings } from './retention/retention.service';
// The database the application runs on (libs/db), so that the tool needs no second entry.
export { createDatabase, testing, type Database, type DatabaseKind, type SqlExecutor } from '@routescope/db';
