// Every check starts from the same finding: the requirement's own words, satisfied until the
// evidence says otherwise. Each check then adds its own fields (in its own order).
import type { Finding } from '../model.ts';
import type { Requirement } from './requirements.ts';

export function openFinding(req: Pick<Requirement, 'check' | 'title' | 'subject'>): Finding {
  return { check: req.check, status: 'satisfied', title: req.title, evidence: '', subject: req.subject };
}
