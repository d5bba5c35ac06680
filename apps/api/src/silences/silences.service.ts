import { Injectable } from '@nestjs/common';
import { ruleById } from '@routescope/checks';
import { patternProblem, subjectMatches, toLikePattern } from './silence-pattern';
import { SilencesError, SilencesErrorCode } from './silences.errors';
import { SilencesRepository, type SilenceRow } from './silences.repository';
import type { Silence, SilenceInput } from './types/silence.type';

/** Longest a silence may last: an acknowledgement is revisited, not forgotten. */
export const MAX_SILENCE_DAYS = 90;
const DAY_MS = 86_400_000;
const MAX_REASON = 2000;

/** What a finding needs for matching silences. */
export interface SilenceSubject {
  rule: string;
  node: string;
  subject: string;
}

@Injectable()
export class SilencesService {
  /** per GraphQL operation: the silences active when it started, loaded once */
  private readonly active = new WeakMap<object, Promise<SilenceRow[]>>();

  constructor(private readonly repository: SilencesRepository) {}

  async silence(input: SilenceInput, actor: string, now = new Date()): Promise<Silence> {
    const invalid = (field: string, why: string) => new SilencesError(SilencesErrorCode.InvalidSilence, `input.${field}: ${why}`);
    if (!ruleById(input.rule)) throw invalid('rule', `"${input.rule}" is not a rule of the catalogue (see Query.rules)`);
    const reason = input.reason.trim();
    if (reason === '') throw invalid('reason', 'is empty: say why these findings are silenced');
    if (reason.length > MAX_REASON) throw invalid('reason', `is ${reason.length} characters long, at most ${MAX_REASON}`);
    const node = input.node ?? null;
    if (node !== null && node.trim() === '') throw invalid('node', 'is empty: leave it out (null) to silence every node');
    const pattern = input.subjectPattern ?? null;
    const problem = pattern === null ? undefined : patternProblem(pattern);
    if (problem) throw invalid('subjectPattern', problem);
    const expiresAt = input.expiresAt;
    if (expiresAt.getTime() <= now.getTime()) throw invalid('expiresAt', `${expiresAt.toISOString()} is not in the future`);
    if (expiresAt.getTime() > now.getTime() + MAX_SILENCE_DAYS * DAY_MS) throw invalid('expiresAt', `${expiresAt.toISOString()} is more than ${MAX_SILENCE_DAYS} days ahead`);
    const row = await this.repository.create({ rule: input.rule, node, subjectPattern: pattern, subjectLike: pattern === null ? null : toLikePattern(pattern), reason, createdBy: actor, expiresAt });
    return toSilence(row, new Date());
  }

  async revoke(id: string, actor: string): Promise<Silence> {
    if (!/^\d{1,18}$/.test(id)) throw new SilencesError(SilencesErrorCode.SilenceNotFound, `id: no silence "${id}"`);
    const now = new Date();
    const { row } = await this.repository.revoke(BigInt(id), actor, now);
    if (!row) throw new SilencesError(SilencesErrorCode.SilenceNotFound, `id: no silence "${id}"`);
    return toSilence(row, now);
  }

  async list(activeAt: Date | null): Promise<Silence[]> {
    const now = new Date();
    return (await this.repository.list(activeAt ?? undefined)).map((row) => toSilence(row, now));
  }

  /** The newest silence active now that covers the finding, loaded once per operation. */
  async silencing(context: object, finding: SilenceSubject): Promise<Silence | null> {
    let active = this.active.get(context);
    if (!active) {
      active = this.repository.list(new Date());
      this.active.set(context, active);
    }
    const now = new Date();
    const row = (await active).find((s) => s.rule === finding.rule && (s.node === null || s.node === finding.node) && subjectMatches(s.subjectPattern, finding.subject));
    return row ? toSilence(row, now) : null;
  }
}

export function toSilence(row: SilenceRow, now: Date): Silence {
  return {
    id: row.id.toString(),
    rule: row.rule,
    node: row.node,
    subjectPattern: row.subjectPattern,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    active: row.createdAt.getTime() <= now.getTime() && row.expiresAt.getTime() > now.getTime() && (row.revokedAt === null || row.revokedAt.getTime() > now.getTime()),
  };
}
