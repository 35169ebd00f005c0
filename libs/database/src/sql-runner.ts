/**
 * What both a DataSource and a transaction's EntityManager offer: raw parameterised SQL (repositories take it).
 * `Row` names the shape of the rows the statement returns, so a repository's row types are checked where it reads
 * them; it defaults to `any` for call sites that have not said yet.
 */
export interface SqlRunner {
  query<Row = any>(sql: string, parameters?: unknown[]): Promise<Row[]>;
}
