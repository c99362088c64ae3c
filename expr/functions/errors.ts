// Error constructors shared by the function implementations (PostgreSQL's exact texts).
import { SqlError, SqlState } from '../../core/errors.js';

export const divByZero = (): SqlError => new SqlError(SqlState.DivisionByZero, 'division by zero');
export const intOutOfRange = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'integer out of range');
export const bigintOutOfRange = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'bigint out of range');
export const smallintOutOfRange = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'smallint out of range');
export const floatOverflow = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
export const floatUnderflow = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
export const invalidParam = (msg: string): SqlError => new SqlError(SqlState.InvalidParameterValue, msg);
