// STUB: owned by the core/values helper. Text and binary I/O, comparison, hashing and casts of Datums.
import type { SqlType } from '../types.js';
import type { Datum } from '../datum.js';
import type { ValueSettings } from './settings.js';

/** PostgreSQL output function (typoutput): the text a client sees. d is never null. */
export function formatText(_type: SqlType, _d: Datum, _s: ValueSettings): string { throw new Error('not implemented'); }
/** PostgreSQL input function (typinput). Throws SqlError 22P02 / 22007 / 22003 / 22008 ... */
export function parseText(_type: SqlType, _text: string, _s: ValueSettings): Datum { throw new Error('not implemented'); }
/** typsend: binary wire format. d is never null. */
export function encodeBinary(_type: SqlType, _d: Datum): Uint8Array { throw new Error('not implemented'); }
/** typreceive: binary wire format. Throws 22P03 on malformed input. */
export function decodeBinary(_type: SqlType, _buf: Uint8Array): Datum { throw new Error('not implemented'); }
/** Total order of non-null values of one type (C collation for text). */
export function compareDatums(_type: SqlType, _a: Datum, _b: Datum): number { throw new Error('not implemented'); }
/** A key such that equal values (per compareDatums === 0) give equal keys; for hashing/grouping. */
export function datumKey(_type: SqlType, _d: Datum): string | number { throw new Error('not implemented'); }
/** Convert a non-null value between types with the semantics of CAST (explicit). */
export function castDatum(_from: SqlType, _to: SqlType, _d: Datum, _s: ValueSettings): Datum { throw new Error('not implemented'); }
