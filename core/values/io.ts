// Public value-layer API: text and binary I/O, comparison, hashing keys and casts of Datums.
// Each job lives in its own file; this module keeps the stable import path others code against.
export {
  formatText, formatFloat4, formatFloat8, formatBytea, formatDate, formatTime, formatTimestamp, formatTimestamptz, formatInterval, formatArray,
  formatDateStyled, formatTimestampStyled,
} from './text-format.js';
export {
  parseText, parseBool, parseInt16, parseInt32, parseInt64, parseFloat4, parseFloat8, parseBytea, parseUuid,
  parseDate, parseTime, parseTimestamp, parseTimestamptz, parseInterval, parseArray, truncateName,
} from './text-parse.js';
export { encodeBinary, decodeBinary } from './binary.js';
export { compareDatums, datumKey, datumsEqual, compareFloats, compareBytes, compareCodePoints, trimTrailingSpaces } from './compare.js';
export { castDatum, canCast, castNumber, floatToInt, floatToInt8 } from './cast.js';
export { applyTypmod, charLength, padBpchar, roundMicros, roundTimestampMicros, formatTypeWithTypmod } from './typmod.js';
export { numericLn, numericLog, numericLog10, numericExp, numericPower, estimateLnDweight } from './numeric-math.js';
export {
  addMonthsLocal, timestampPlusInterval, timestampMinusInterval, timestamptzPlusInterval, timestamptzMinusInterval,
  timestampDiff, datePlusDays, dateDiff, datePlusInterval, timePlusInterval, age,
} from './datetime-arith.js';
export { intervalTypmod, adjustIntervalForTypmod, INTERVAL_MASK } from './interval.js';
export { encodeNumericTypmod, decodeNumericTypmod } from './numeric.js';
