"""Typed errors of the data package.

Every failure a user can cause or meet (wrong file, busy database, broken
migration, a batch the database refused) has its own class under `DataError`,
so the CLI turns them into one-line messages in one place.  Each message names
the file and what to do; the original DuckDB error is chained as __cause__.
"""

from __future__ import annotations


class DataError(Exception):
    """Base class: anything the data package raises on purpose."""


class NotADatabaseError(DataError):
    """The path exists but is not a DuckDB database; the file was left untouched."""


class DatabaseNotFoundError(DataError):
    """A read-only open of a database file that does not exist."""


class DatabaseBusyError(DataError):
    """Another process held the database lock for longer than the timeout."""


class DamagedDatabaseError(DataError):
    """A DuckDB file that is cut off or fails its checksums; it was left untouched."""


class MigrationError(DataError):
    """A migration file is malformed or failed; that migration was rolled back."""


class NewerSchemaError(MigrationError):
    """The database has migrations this newsmon does not know (a newer one wrote it);
    newsmon does not write to it."""


class StorageError(DataError):
    """The file system refused a write (permissions, I/O); nothing was half written."""


class DiskFullError(StorageError):
    """No room left to write (or less than the reserve newsmon keeps free)."""


class ReadOnlyStorageError(StorageError):
    """The database (or its lock file) is on a read-only file system."""


class WriteError(DataError):
    """A write was refused (bad frame, constraint); the transaction was rolled back."""


class AlreadyLoadedError(WriteError):
    """A staged batch is already recorded in staged_batches; nothing was written."""

    def __init__(self, message: str, batch_ids: list[str]):
        super().__init__(message)
        self.batch_ids = batch_ids


class StagingError(DataError):
    """A batch could not be staged (bad id, an id already staged, an unwritable folder)."""


class BadBatchError(StagingError):
    """A staged batch cannot be read (missing file, bad Parquet, wrong columns)."""


class QueryError(DataError):
    """A named query is malformed or failed to run (data/queries/)."""


class UnknownQueryError(QueryError):
    """No named query has that name; the message lists the known ones."""


class QueryParamError(QueryError):
    """A parameter the query does not take, a missing one, or a value of the wrong type."""


class SandboxError(DataError):
    """A statement the SQL sandbox refused: it would read or write outside the database,
    change it, or change a setting."""


class SearchIndexError(DataError):
    """The database has articles but no search index yet (`newsmon db reindex` builds it)."""


class ExportError(DataError):
    """An export was refused: unknown table or format, or the output could not be written."""


class RatesError(DataError):
    """Currency rates could not be fetched or read (not an ECB rates file)."""


class NoArticlesError(QueryError):
    """A digest was asked of a database (or topic) without any article."""


class ArticleNotFoundError(DataError):
    """No stored article has that URL (as fetched, canonical, or in the fetch record)."""


class VersionNotFoundError(DataError):
    """The article has no version with that number."""


class WatchlistError(DataError):
    """A watchlist file that cannot be used; the message names the file and line."""
