import type { Command } from '../command';
import { resetNodeHead } from './nodes-reset-head';
import { createToken, listTokens, revokeToken, rotateToken } from './tokens';

/** Every subcommand of routescope-admin; a new one is a file in this folder and a line here. */
export const COMMANDS: readonly Command[] = [createToken, listTokens, revokeToken, rotateToken, resetNodeHead];
