/** What both a DataSource and a transaction's EntityManager offer: raw parameterised SQL (repositories take it). */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}
