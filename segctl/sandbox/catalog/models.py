"""Catalog's stored kinds: datasets, batches and the files of a batch (the Data Access API
reads the files; export jobs write all three)."""

DATASET = "dataset"
BATCH = "batch"
FILE = "file"
