// Registers every category of functions. Called lazily by registry.ts on first use.
import { registerArithmetic } from './arithmetic.js';

let done = false;
export function registerAll(): void {
  if (done) return;
  done = true;
  registerArithmetic();
}
