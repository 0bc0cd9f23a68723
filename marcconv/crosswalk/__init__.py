"""MARC 21 bibliographic records → the internal model (see rules.py)."""

from marcconv.crosswalk.convert import reference_to_write, to_reference

__all__ = ["reference_to_write", "to_reference"]
