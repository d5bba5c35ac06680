import { familyOf, isPrefix } from '../../contract/address-syntax';
import { checkContractEntry } from '../../contract/lazy-contract';
import type { AddressFamily } from '../../contract/snapshot-constants';
import type { ContractEntries, ContractEntryKind } from '../../contract/snapshot-fast-path';
import { quote, type WarningLog } from './text-input';

/**
 * Reading single values out of ip(8) text: addresses, prefixes, link-layer addresses,
 * interface names and numbers, each classified as usable, masked (redacted by whoever
 * pasted it: x.x.0.1, <redacted>, xx:xx:xx:xx:xx:xx) or invalid.
 */
export type ValueRead<T> = { kind: 'ok'; value: T } | { kind: 'masked' } | { kind: 'invalid' };

const MASKED: ValueRead<never> = { kind: 'masked' };
const INVALID: ValueRead<never> = { kind: 'invalid' };

/** Words people replace values with, alone or wrapped in punctuation (***REDACTED***). */
const MASK_WORD = /^[^a-z0-9]*(?:redacted|masked|hidden|removed|censored|scrubbed|anonymi[sz]ed|obfuscated|elided|omitted|snip(?:ped)?)[^a-z0-9]*$/i;
/** One group of a masked dotted address: x, xx, X, 1x, *, ?, or a single letter (a.b.c.d, 10.X.Y.Z). */
const MASK_GROUP_DOTTED = /^(?:[0-9xX*?#_]*[xX*?#_][0-9xX*?#_]*|[a-zA-Z])$/;
/** One group of a masked colon-separated address (IPv6 or MAC): hex digits mixed with x, *, ?, #, _ or letters beyond f. */
const GROUP_COLON = /^[0-9a-zA-Z*?#_]{0,8}$/;
const HEX_GROUP = /^[0-9a-fA-F]{0,4}$/;

/** True for a name-position token that was masked: <redacted>, [REDACTED], {name}, ***, REDACTED. */
export function looksMaskedName(token: string): boolean {
  return (
    /^<[^<>]*>$/.test(token) ||
    /^\[[^[\]]*\]$/.test(token) ||
    /^\{[^{}]*\}$/.test(token) ||
    /^[*?#]+$/.test(token) ||
    token === '...' ||
    token === '…' ||
    MASK_WORD.test(token)
  );
}

/**
 * True for an address-position token that was masked: the name forms above, plus
 * address-shaped text with placeholders: x.x.0.1, 10.xx.xx.1, 10.X.Y.Z, a.b.c.d,
 * xx:xx:xx:xx:xx:xx, 02:42:ac:XX:XX:XX, fd00:xxxx::1, with or without /len.
 */
export function looksMasked(token: string): boolean {
  if (looksMaskedName(token)) return true;
  const body = token.replace(/\/[^/]*$/, '');
  if (body.includes(':')) {
    const groups = body.split(':');
    return (
      groups.length >= 3 &&
      groups.every((g) => GROUP_COLON.test(g)) &&
      groups.some((g) => g !== '' && !HEX_GROUP.test(g)) &&
      groups.some((g) => g !== '')
    );
  }
  const groups = body.split('.');
  return (
    groups.length === 4 &&
    groups.every((g) => /^\d{1,3}$/.test(g) || MASK_GROUP_DOTTED.test(g)) &&
    groups.some((g) => !/^\d{1,3}$/.test(g))
  );
}

/** The family a masked address still shows by its shape (dots: inet, colons: inet6). */
export function maskedFamily(token: string): AddressFamily | undefined {
  if (!looksMasked(token)) return undefined;
  if (/^[^:]*\.[^:]*\.[^:]*\.[^:]*$/.test(token)) return 'inet';
  if (token.split(':').length >= 3) return 'inet6';
  return undefined;
}

export interface IpValue {
  address: string;
  family: AddressFamily;
}

export function readIp(token: string | undefined): ValueRead<IpValue> {
  if (token === undefined) return INVALID;
  const family = familyOf(token);
  if (family) return { kind: 'ok', value: { address: token, family } };
  return looksMasked(token) ? MASKED : INVALID;
}

export interface PrefixValue extends IpValue {
  /** As printed: `10.0.0.0/8` or a bare `10.0.0.1`. */
  text: string;
  length?: number;
}

export function readPrefix(token: string | undefined): ValueRead<PrefixValue> {
  if (token === undefined) return INVALID;
  if (isPrefix(token)) {
    const [address, length] = token.split('/');
    const family = familyOf(address);
    if (family) return { kind: 'ok', value: { address, family, text: token, length: length === undefined ? undefined : Number(length) } };
  }
  return looksMasked(token) ? MASKED : INVALID;
}

/** Same pattern as the contract's link-layer address: a MAC (or longer), or IPv4 for ipip/sit tunnels. */
const HW_ADDRESS = /^([0-9a-fA-F]{2})(:[0-9a-fA-F]{2}){0,31}$|^(\d{1,3}\.){3}\d{1,3}$/;

/** A link-layer address, lowercased. */
export function readHwAddress(token: string | undefined): ValueRead<string> {
  if (token === undefined) return INVALID;
  if (HW_ADDRESS.test(token)) return { kind: 'ok', value: token.toLowerCase() };
  return looksMasked(token) ? MASKED : INVALID;
}

const IFNAME = /^[^\s/:]{1,15}$/;

export function readIfname(token: string | undefined): ValueRead<string> {
  if (token === undefined) return INVALID;
  if (looksMaskedName(token)) return MASKED;
  return IFNAME.test(token) ? { kind: 'ok', value: token } : INVALID;
}

/** A decimal unsigned integer no larger than max. */
export function readUint(token: string | undefined, max: number): ValueRead<number> {
  if (token === undefined) return INVALID;
  if (looksMaskedName(token) || /^[xX*?#]+$/.test(token)) return MASKED;
  if (!/^\d{1,12}$/.test(token)) return INVALID;
  const value = Number(token);
  return value <= max ? { kind: 'ok', value } : INVALID;
}

/** What a redacted/unreadable non-key field turns into: no value, its name in `redacted`, one warning. */
export function noteUnreadable(
  read: { kind: 'masked' } | { kind: 'invalid' },
  field: string,
  token: string | undefined,
  what: string,
  line: number,
  redacted: string[],
  log: WarningLog,
): void {
  if (!redacted.includes(field)) redacted.push(field);
  log.add(
    line,
    read.kind === 'masked'
      ? `${field} ${quote(token)} is masked; left out and marked redacted`
      : `${field} ${quote(token)} is not ${what}; left out and marked redacted`,
  );
}

/** Drops undefined members so that an entry has each optional key either set or absent. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Validates a finished entry against the contract schema. An entry that does not fit is
 * dropped with a warning on its line, so callers only ever receive contract-valid entries.
 */
export function acceptEntry<K extends ContractEntryKind>(kind: K, draft: object, line: number, what: string, log: WarningLog): ContractEntries[K] | undefined {
  const result = checkContractEntry(kind, compact(draft));
  if (result.ok) return result.value;
  const issues = result.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'entry'}: ${issue.message}`)
    .join('; ');
  log.add(line, `${what} left out: it does not fit the snapshot contract (${issues})`);
  return undefined;
}
