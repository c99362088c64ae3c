// Registers every category of functions. Called lazily by registry.ts on first use.
import { registerArithmetic } from './arithmetic.js';
import { registerComparison } from './comparison.js';
import { registerString } from './string.js';
import { registerMath } from './math.js';
import { registerDatetime } from './datetime.js';
import { registerJson } from './json.js';
import { registerArray } from './array.js';
import { registerAggregates } from './aggregates.js';
import { registerOrderedSetAggregates } from './ordered-set-aggregates.js';
import { registerSetReturning } from './set-returning.js';
import { registerMisc } from './misc.js';
import { registerBitmap } from './bitmap.js';
import { registerKeywords } from './keywords.js';

let done = false;
export function registerAll(): void {
  if (done) return;
  done = true;
  registerArithmetic();
  registerComparison();
  registerString();
  registerMath();
  registerDatetime();
  registerJson();
  registerArray();
  registerAggregates();
  registerOrderedSetAggregates();
  registerSetReturning();
  registerMisc();
  registerBitmap();
  registerKeywords();
}
