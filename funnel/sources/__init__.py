"""One module per source; each turns export files into `raw.*` tables."""
