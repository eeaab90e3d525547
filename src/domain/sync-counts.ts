/** SyncCounts indicates what a sync run did, for its history row and the CLI. */
export interface SyncCounts {
  revisionsListed: number;
  revisionsTransferred: number;
  revisionsImported: number;
  filesPrefetched: number;
}
