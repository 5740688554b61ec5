// Types of build-state.js (plain JavaScript: bin/ runs before any TypeScript loader).
export const BUILD_INFO_FILE: string;
export function buildIsCurrent(root: string, dist: string): boolean;
export function runsBuild(root: string): boolean;
