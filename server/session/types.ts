// The seam between the wire protocol (server/pgwire) and the SQL engine (server/session).
// pgwire imports this file and core/ only.
import type { SqlType } from '../../core/types.js';
import type { Row } from '../../core/datum.js';
import type { SqlNotice } from '../../core/errors.js';
import type { ValueSettings } from '../../core/values/settings.js';

export interface ResultColumn {
  readonly name: string;
  readonly type: SqlType;
  /** pg_class oid of the source table, or 0 */
  readonly tableOid: number;
  /** attnum in that table, or 0 */
  readonly attnum: number;
}

/** Receives the data of COPY ... FROM STDIN. */
export interface CopyInTarget {
  /** 0 = text/csv, 1 = binary */
  readonly format: 0 | 1;
  readonly columnCount: number;
  write(chunk: Uint8Array): void;
  /** CopyDone received. Resolves once the rows are stored; the command tag follows as a 'complete' event. */
  end(): Promise<void>;
  /** CopyFail received (or the connection died): discard everything. */
  fail(message: string): void;
}

export type QueryEvent =
  /** RowDescription (simple query only; in the extended protocol Describe gives the columns) */
  | { readonly kind: 'columns'; readonly columns: readonly ResultColumn[] }
  | { readonly kind: 'rows'; readonly rows: readonly Row[] }
  /** CommandComplete, e.g. 'SELECT 3', 'INSERT 0 1' */
  | { readonly kind: 'complete'; readonly tag: string }
  /** Execute stopped at its row limit: PortalSuspended */
  | { readonly kind: 'suspended' }
  /** EmptyQueryResponse */
  | { readonly kind: 'empty' }
  | { readonly kind: 'notice'; readonly notice: SqlNotice }
  | { readonly kind: 'parameterStatus'; readonly name: string; readonly value: string }
  /** CopyInResponse: pgwire feeds CopyData into target, then calls end()/fail() and resumes the iterator */
  | { readonly kind: 'copyIn'; readonly target: CopyInTarget }
  /** CopyOutResponse, CopyData per chunk, CopyDone; a 'complete' event follows */
  | { readonly kind: 'copyOut'; readonly format: 0 | 1; readonly columnCount: number; readonly chunks: AsyncIterable<Uint8Array>;
      /** a stream without end (COPY (SUBSCRIBE ...)): each chunk is sent at once, as the socket takes it */
      readonly live?: boolean };

export interface StatementDescription {
  readonly paramTypes: readonly SqlType[];
  /** null when the statement returns no rows (NoData) */
  readonly columns: readonly ResultColumn[] | null;
}

export type TransactionStatus = 'I' | 'T' | 'E';

/**
 * One client connection's view of the engine. Methods throw SqlError for user errors.
 * The pgwire layer handles message framing, the "skip until Sync after an error" rule,
 * and encoding of result rows into text/binary by the result formats given at Bind.
 */
export interface Session {
  readonly processId: number;
  readonly secretKey: number;
  /** Current settings used to format/parse values (TimeZone, DateStyle, ...). */
  valueSettings(): ValueSettings;
  /** ParameterStatus messages to send after authentication. */
  initialParameterStatus(): ReadonlyArray<readonly [string, string]>;
  transactionStatus(): TransactionStatus;

  /** Simple Query: may contain several statements. Stops at the first error (thrown from the iterator). */
  simpleQuery(sql: string): AsyncIterable<QueryEvent>;

  /** Parse: paramTypeOids may contain 0 for 'infer'. Empty name = unnamed statement (replaced silently). */
  parse(name: string, sql: string, paramTypeOids: readonly number[]): void;
  describeStatement(name: string): StatementDescription;
  /** Bind: params are raw bytes in the given formats (0 text, 1 binary; [] = all text, [f] = all f). */
  bind(portal: string, statement: string, params: readonly (Uint8Array | null)[], paramFormats: readonly number[]): void;
  /** Describe portal: columns or null (NoData). */
  describePortal(portal: string): readonly ResultColumn[] | null;
  /** Execute: maxRows 0 = all. Ends with a 'complete', 'suspended' or 'empty' event. */
  execute(portal: string, maxRows: number): AsyncIterable<QueryEvent>;
  closeStatement(name: string): void;
  closePortal(name: string): void;
  /** Sync: ends an implicit transaction of the extended protocol (commit, or rollback after an error). */
  sync(): Promise<void>;
  /** Called on an error inside an extended-protocol batch (before skipping to Sync). */
  markFailed(): void;
  /** CancelRequest matched this session. */
  cancel(): void;
  /** Connection closed: roll back and free everything. */
  close(): Promise<void>;
}

export type AuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';

export interface AuthRequirement {
  readonly method: AuthMethod;
  /** For password/md5: the clear password; for scram-sha-256: the clear password or a stored SCRAM verifier
   *  'SCRAM-SHA-256$<iter>:<salt b64>$<StoredKey b64>:<ServerKey b64>'. Undefined = user has no password (reject). */
  readonly secret?: string;
}

/** What the listener needs from the engine. */
export interface SessionFactory {
  /** Which authentication a user must pass; throws SqlError 28000 if the role may not log in. */
  authFor(user: string, database: string): AuthRequirement;
  /** Create the session after authentication. startupParams are the StartupMessage key/values. */
  create(startupParams: Readonly<Record<string, string>>): Session;
  /** CancelRequest: find the session and cancel it (ignore if unknown). */
  cancel(processId: number, secretKey: number): void;
}
