export { runFuzz } from './fuzz';
export type { FuzzFinding, FuzzReport, FuzzTarget } from './fuzz';
export { hostileBodies } from './hostile-bodies';
