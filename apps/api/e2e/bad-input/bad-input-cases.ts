import type { BadInputCase } from './bad-input-case';
import { contractCases } from './contract.cases';
import { hostileStringCases } from './hostile-strings.cases';
import { identityCases } from './identity.cases';
import { transportCases } from './transport.cases';

/** Every area of the bad-input suite; add an area's array here (one file per area in this folder). */
export const BAD_INPUT_AREAS: Record<string, BadInputCase[]> = {
  transport: transportCases,
  contract: contractCases,
  'hostile strings': hostileStringCases,
  identity: identityCases,
};
