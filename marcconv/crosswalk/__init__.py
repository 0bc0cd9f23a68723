"""MARC 21 bibliographic records → the internal model (see rules.py)."""

from marcconv.crosswalk.convert import to_reference

__all__ = ["to_reference"]
