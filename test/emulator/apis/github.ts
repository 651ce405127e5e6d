// Placeholder until the module lands.
import type { Handler } from '../contract.ts';

export const handlers: Handler[] = [];
