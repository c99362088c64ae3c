// Errors that reach users always carry a PostgreSQL SQLSTATE.

export const SqlState = {
  SuccessfulCompletion: '00000',
  Warning: '01000',
  NoData: '02000',
  FeatureNotSupported: '0A000',
  InvalidTransactionState: '25000',
  ActiveSqlTransaction: '25001',
  ReadOnlySqlTransaction: '25006',
  NoActiveSqlTransaction: '25P01',
  InFailedSqlTransaction: '25P02',
  InvalidSqlStatementName: '26000',
  InvalidCursorName: '34000',
  ConnectionFailure: '08006',
  InvalidCursorState: '24000',
  ObjectNotInPrerequisiteState: '55000',
  InvalidAuthorizationSpecification: '28000',
  InvalidPassword: '28P01',
  CardinalityViolation: '21000',
  DataException: '22000',
  StringDataRightTruncation: '22001',
  NumericValueOutOfRange: '22003',
  NullValueNotAllowed: '22004',
  InvalidDatetimeFormat: '22007',
  DatetimeFieldOverflow: '22008',
  InvalidTimeZoneDisplacementValue: '22009',
  InvalidParameterValue: '22023',
  DivisionByZero: '22012',
  InvalidTextRepresentation: '22P02',
  InvalidBinaryRepresentation: '22P03',
  InvalidEscapeSequence: '22025',
  InvalidRegularExpression: '2201B',
  InvalidRowCountInLimitClause: '2201W',
  InvalidRowCountInResultOffsetClause: '2201X',
  ArraySubscriptError: '2202E',
  CharacterNotInRepertoire: '22021',
  InvalidJsonText: '22032',
  UntranslatableCharacter: '22P05',
  IntegrityConstraintViolation: '23000',
  NotNullViolation: '23502',
  ForeignKeyViolation: '23503',
  UniqueViolation: '23505',
  CheckViolation: '23514',
  SyntaxError: '42601',
  InsufficientPrivilege: '42501',
  UndefinedColumn: '42703',
  UndefinedTable: '42P01',
  UndefinedFunction: '42883',
  UndefinedObject: '42704',
  UndefinedParameter: '42P02',
  UndefinedSchema: '3F000',
  DuplicateTable: '42P07',
  DuplicateObject: '42710',
  InvalidForeignKey: '42830',
  DuplicateSchema: '42P06',
  DuplicateColumn: '42701',
  DuplicateAlias: '42712',
  DuplicatePreparedStatement: '42P05',
  DuplicateCursor: '42P03',
  AmbiguousColumn: '42702',
  AmbiguousFunction: '42725',
  AmbiguousParameter: '42P08',
  DatatypeMismatch: '42804',
  CannotCoerce: '42846',
  GroupingError: '42803',
  WindowingError: '42P20',
  InvalidRecursion: '42P19',
  InvalidColumnReference: '42P10',
  InvalidTableDefinition: '42P16',
  InvalidObjectDefinition: '42P17',
  WrongObjectType: '42809',
  InvalidName: '42602',
  InvalidParameterReference: '42P03',
  DependentObjectsStillExist: '2BP01',
  GeneratedAlways: '428C9',
  ProtocolViolation: '08P01',
  ConnectionException: '08000',
  TooManyConnections: '53300',
  OutOfMemory: '53200',
  ProgramLimitExceeded: '54000',
  QueryCanceled: '57014',
  AdminShutdown: '57P01',
  SerializationFailure: '40001',
  InternalError: 'XX000',
} as const;
export type SqlState = (typeof SqlState)[keyof typeof SqlState];

export interface ErrorFields {
  readonly severity?: 'ERROR' | 'FATAL' | 'PANIC';
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character position in the query text */
  readonly position?: number;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly dataType?: string;
  readonly constraint?: string;
}

export class SqlError extends Error {
  constructor(readonly code: SqlState | string, message: string, readonly fields: ErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
  }
}

export interface SqlNotice {
  readonly severity: 'NOTICE' | 'WARNING' | 'INFO' | 'DEBUG' | 'LOG';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

/** Programmer errors only, never user input. */
export function invariant(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new SqlError(SqlState.InternalError, `internal error: ${msg}`);
}

export function assertNever(x: never, what = 'value'): never {
  throw new SqlError(SqlState.InternalError, `internal error: unexpected ${what}: ${JSON.stringify(x)}`);
}
