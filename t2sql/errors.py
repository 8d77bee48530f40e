"""One exception family whose message is always Korean and safe to show to a user."""


class T2SQLError(Exception):
    """Base error: ``str(err)`` is a Korean sentence the user can act on."""


class GuardRefusal(T2SQLError):
    """The guard refused a statement; the message says why."""


class QueryTimeout(T2SQLError):
    """The query ran past its time limit and was cancelled."""


class QueryError(T2SQLError):
    """The database rejected or failed the query."""


class DatabaseUnavailable(T2SQLError):
    """The database URL cannot be opened (missing file, refused connection, bad URL)."""


class ModelUnavailable(T2SQLError):
    """The generation backend cannot be loaded or reached."""


class IndexUnavailable(T2SQLError):
    """The schema index (Chroma) cannot be opened or built."""


class SettingsError(T2SQLError):
    """A ``T2SQL_*`` environment value has the wrong type."""
