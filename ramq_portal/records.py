"""django-simple-history's records, with the indexes that read them newest first.

simple-history indexes `history_date`, the tracked row's id and each foreign key, one column at a time:
"this row's versions, newest first" or "the versions of a professional's rows, newest first" then sorts
every version of the row or of the file before keeping a few. These records add the two composite
indexes such reads walk in order and stop early, at the same cost whatever the number of versions:

* (id, history_date, history_id): one row's versions in order, hence a version's previous version;
* (owner, history_date, history_id), with `owner="professional"`: the versions of every row of one
  professional's file in order (dossier.history reads a page of the professional's history this way).
"""
from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class IndexedHistoricalRecords(HistoricalRecords):
    def __init__(self, *args, owner: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        keys = [model._meta.pk.attname] + ([self.owner] if self.owner else [])
        meta["indexes"] = [
            *meta.get("indexes", ()),
            *(models.Index(fields=[key, "history_date", "history_id"]) for key in keys),
        ]
        return meta
