// The roles setIamPolicy accepts: every predefined role Google has (data/role-names.json, from
// the same public dataset as roles.json) and the world's custom roles. Google answers any
// other role, including the `ROLE_withcond_HASH` a version-1 read shows, with 400.
import { readFileSync } from 'node:fs';
import type { World } from './contract.ts';
import { badRequest } from './http.ts';
import { roleDefinition } from './iam-engine.ts';

let names: Set<string> | undefined;

function predefinedNames(): Set<string> {
  names ??= new Set(
    (
      JSON.parse(readFileSync(new URL('./data/role-names.json', import.meta.url), 'utf8')) as {
        names: string[];
      }
    ).names,
  );
  return names;
}

export function requireKnownRole(world: World, role: string): void {
  const known =
    predefinedNames().has(role) || (!role.startsWith('roles/') && roleDefinition(world, role) !== undefined);
  if (!known) throw badRequest(`Role (${role}) does not exist in the resource's hierarchy.`);
}
