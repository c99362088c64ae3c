// pg_get_keywords(): PostgreSQL's SQL keywords and their categories (drivers read them to decide
// what to quote, e.g. pgjdbc's getSQLKeywords). The list is PostgreSQL's kwlist.h as the
// @pgsql/quotes package ships it.
import { kwlist } from '@pgsql/quotes';
import { T } from '../../core/types.js';
import { registerSetFunction } from './define.js';

const CATEGORIES: readonly [keyof typeof kwlist, string, string][] = [
  ['UNRESERVED_KEYWORD', 'U', 'unreserved'],
  ['COL_NAME_KEYWORD', 'C', 'unreserved (cannot be function or type name)'],
  ['TYPE_FUNC_NAME_KEYWORD', 'T', 'reserved (can be function or type name)'],
  ['RESERVED_KEYWORD', 'R', 'reserved'],
];

export function registerKeywords(): void {
  registerSetFunction({
    name: 'pg_get_keywords', argTypes: [], strict: false, volatility: 'immutable',
    columns: () => [{ name: 'word', type: T.text }, { name: 'catcode', type: T.char }, { name: 'barelabel', type: T.bool },
      { name: 'catdesc', type: T.text }, { name: 'baredesc', type: T.text }],
    *impl() {
      const rows: [string, string, string][] = [];
      for (const [category, code, desc] of CATEGORIES) for (const w of (kwlist[category] ?? []) as readonly string[]) rows.push([w, code, desc]);
      rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [w, code, desc] of rows) yield [w, code, true, desc, 'can be bare label'];
    },
  });
}
