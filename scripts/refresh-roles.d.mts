type Roles = { source?: string; filteredRoles?: Record<string, string>; roles: Record<string, Record<string, unknown>> };
export function filterPermissions(permissions: string[], services: string): string[];
export function refreshed(data: Roles, described: Record<string, Record<string, unknown>>, note: string): Roles;
