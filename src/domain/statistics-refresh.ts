/**
 * StatisticsRefresh decides when a bulk load refreshes the planner's statistics: once the first 1,000 rows are in,
 * then each time the load has doubled. Postgres may run without autovacuum, and a plan made while a table looked
 * tiny (a foreign-key check's plan is cached per connection) would scan the whole table for every row inserted,
 * making a load quadratic; a handful of ANALYZEs (seven for 100,000 rows) keeps every plan on its index.
 */
export class StatisticsRefresh {
  private loaded = 0;
  private next = 1000;

  /** due records `rows` more rows loaded and tells whether to analyze now. */
  due(rows: number): boolean {
    this.loaded += rows;
    if (this.loaded < this.next) return false;
    this.next = this.loaded * 2;
    return true;
  }
}
