"""Writing many rows at once, as the database writes them fastest: PostgreSQL's COPY (psycopg 3) when the
database is PostgreSQL, `bulk_create` elsewhere (SQLite in development and in local tests)."""
from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router
from django.db.models.fields import NOT_PROVIDED

from ramq_portal import filecache


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], *, using: str | None = None,
                bump: bool = True) -> int:
    """Insert `rows` into `model`'s table and return how many. Each row is a tuple of the values of
    `columns` (attribute names: `professional_id`, not `professional`), as the database takes them:
    ids, strings, dates, aware datetimes, Decimals. Every other column gets its field's constant default,
    as a new instance would (a callable or database default is refused: give the column). As with
    bulk_create, no save() and no signals, no primary keys returned. Runs in the caller's transaction.
    The files the rows belong to (FILE_OWNERS) have their cached pages bumped (ramq_portal.filecache),
    unless `bump` is false: the caller then bumps them itself (the payment run, once per batch).
    """
    if not rows:
        return 0
    using = using or router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._base_manager.using(using).bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])
    else:
        _copy(connection, model, columns, rows)
    if bump:
        filecache.bump(filecache.owners_of_rows(model, columns, rows))
    return len(rows)


def _copy(connection, model, columns, rows) -> None:
    given = set(columns)
    others = [field for field in model._meta.concrete_fields if field.attname not in given and field is not model._meta.auto_field]
    for field in others:
        if (field.has_default() and callable(field.default)) or field.db_default is not NOT_PROVIDED:
            raise ValueError(f"insert_rows: give {model.__name__}.{field.attname} (its default is computed)")
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in [*map(model._meta.get_field, columns), *others])
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row + defaults)
