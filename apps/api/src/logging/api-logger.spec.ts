import { PassThrough } from 'node:stream';
import { loadApiConfig } from '../config/api-config';
import { createApiLogger, PinoNestLogger } from './api-logger';

// The log stream as a pipeline reads it: JSON lines by default off a terminal, pretty on request,
// at ROUTESCOPE_LOG_LEVEL, and never an Authorization header.

function capture(env: Record<string, string>) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d));
  const logger = createApiLogger(loadApiConfig(env), stream);
  return { logger, text: () => text };
}

describe('API logs', () => {
  it('writes JSON lines with an ISO time, a level name and Nest context, filtered by ROUTESCOPE_LOG_LEVEL', () => {
    const { logger, text } = capture({ ROUTESCOPE_LOG_FORMAT: 'json', ROUTESCOPE_LOG_LEVEL: 'warn' });
    const nest = new PinoNestLogger(logger);
    nest.log('not shown at warn', 'Bootstrap');
    nest.warn('shown', 'RetentionService');
    nest.error('failed', 'Error: failed\n    at x', 'FindingsEvaluator');
    const lines = text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'shown', context: 'RetentionService', name: 'routescope-api', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) }),
      expect.objectContaining({ level: 'error', msg: 'failed', context: 'FindingsEvaluator', stack: 'Error: failed\n    at x' }),
    ]);
  });

  it('redacts an Authorization header wherever an object carries one', () => {
    const { logger, text } = capture({ ROUTESCOPE_LOG_FORMAT: 'json' });
    logger.info({ req: { headers: { authorization: 'Bearer rs_secret_value' } }, headers: { authorization: 'Bearer rs_other' } }, 'request');
    expect(text()).not.toContain('rs_secret_value');
    expect(text()).not.toContain('rs_other');
    expect(JSON.parse(text())).toMatchObject({ req: { headers: { authorization: '[redacted]' } } });
  });

  it('writes readable lines, not JSON, with ROUTESCOPE_LOG_FORMAT=pretty', () => {
    const { logger, text } = capture({ ROUTESCOPE_LOG_FORMAT: 'pretty' });
    logger.info({ node: 'node-a' }, 'stored');
    expect(text()).toMatch(/INFO.*stored/);
    expect(() => JSON.parse(text())).toThrow();
  });

  it('refuses another ROUTESCOPE_LOG_FORMAT, and a bad ROUTESCOPE_METRICS_PORT, naming the variable', () => {
    expect(() => loadApiConfig({ ROUTESCOPE_LOG_FORMAT: 'xml' })).toThrow(/ROUTESCOPE_LOG_FORMAT: must be json or pretty/);
    expect(() => loadApiConfig({ ROUTESCOPE_METRICS_PORT: '70000' })).toThrow(/ROUTESCOPE_METRICS_PORT: must be between 1 and 65535/);
    expect(() => loadApiConfig({ ROUTESCOPE_METRICS_TOKEN: 'short' })).toThrow(/ROUTESCOPE_METRICS_TOKEN/);
  });
});
