// The worker obeys the effective values of DESIGN §3 even if its environment was written by hand:
// disallowedTools always wins, Bash is allowed only when ORKA_ALLOW_BASH=true and not disallowed,
// and Bash leaves allowedTools when it is not allowed.
import { BASH_TOOL } from '../resources/effective.ts';
import type { RuntimeSettings } from './config.ts';

export interface Permissions {
  allowedTools: string[];
  disallowedTools: string[];
  allowBash: boolean;
  maxTurns: number;
}

export function effectivePermissions(settings: RuntimeSettings): Permissions {
  const disallowed = [...new Set(settings.disallowedTools)];
  const allowBash = settings.allowBash && !disallowed.includes(BASH_TOOL);
  const allowed = [...new Set(settings.allowedTools)].filter(
    (tool) => !disallowed.includes(tool) && (allowBash || tool !== BASH_TOOL),
  );
  return {
    allowedTools: allowed,
    disallowedTools: disallowed,
    allowBash,
    maxTurns: settings.maxTurns,
  };
}
