"""Indexes that Django's built-in classes cannot express on every database the portal runs on."""
from __future__ import annotations

from django.db import models
from django.db.backends.ddl_references import Expressions


class _PatternOpsExpression(Expressions):
    """The indexed expression followed by the text_pattern_ops operator class (PostgreSQL)."""

    def __str__(self):
        return f"{super().__str__()} text_pattern_ops"


class PrefixSearchIndex(models.Index):
    """An index on one expression (such as Upper("last_name")) that also serves prefix searches on PostgreSQL.

    The admin's `^field` search is `istartswith`: UPPER(column) LIKE 'ABC%'. A plain btree serves LIKE
    only under the C collation, so on PostgreSQL the index is built with the text_pattern_ops operator
    class (which serves equality too), whatever the database's collation. Django's OpClass would need
    django.contrib.postgres in INSTALLED_APPS and cannot run on SQLite, which knows no operator classes:
    there this is the plain expression index.
    """

    def __init__(self, *expressions, **kwargs):
        super().__init__(*expressions, **kwargs)
        if len(self.expressions) != 1:
            raise ValueError("PrefixSearchIndex indexes exactly one expression")

    def create_sql(self, model, schema_editor, using="", **kwargs):
        statement = super().create_sql(model, schema_editor, using=using, **kwargs)
        if schema_editor.connection.vendor == "postgresql":
            columns = statement.parts["columns"]
            statement.parts["columns"] = _PatternOpsExpression(columns.table, columns.expressions, columns.compiler, columns.quote_value)
        return statement
