// Role -> permissions, from roles.get (predefined and custom roles), once per role per run,
// falling back to the built-in table for the few roles the product must know offline.
import { BUILTIN_ROLES } from './builtin-roles.ts';
import type { Reader } from './reader.ts';

export interface RoleBook {
  /** Expand every role in parallel; afterwards `permissions` answers synchronously. */
  load(roles: readonly string[]): Promise<void>;
  /** The role's permissions, or undefined when neither roles.get nor the table knows it. */
  permissions(role: string): ReadonlySet<string> | undefined;
  /** Why a role could not be expanded (for evidence). */
  failure(role: string): string | undefined;
}

export function createRoleBook(reader: Reader, log: { debug(msg: string): void }): RoleBook {
  const known = new Map<string, ReadonlySet<string>>();
  const failures = new Map<string, string>();
  const loading = new Map<string, Promise<void>>();
  const loadOne = async (role: string) => {
    const read = await reader.role(role);
    if (read.ok) {
      known.set(role, new Set(read.value));
      return;
    }
    const builtin = BUILTIN_ROLES[role];
    if (builtin) {
      log.debug(`Using the built-in permission list of ${role}: ${read.error.message}`);
      known.set(role, new Set(builtin));
      return;
    }
    failures.set(role, read.error.message);
  };
  return {
    async load(roles) {
      await Promise.all(
        roles.map((role) => {
          let p = loading.get(role);
          if (!p) {
            p = loadOne(role);
            loading.set(role, p);
          }
          return p;
        }),
      );
    },
    permissions: (role) => known.get(role),
    failure: (role) => failures.get(role),
  };
}
