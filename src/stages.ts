// The other teams' stages, behind one seam: main.ts calls these, so swapping a stand-in for
// a real module is a one-line change here.
export { diagnose, diagnoseCondition } from './diagnose/index.ts';
export { preflight } from './iam/index.ts';
export { publish } from './report/index.ts';
