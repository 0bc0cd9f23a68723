"""marcconv: line-MARC catalogue records to CSL-JSON, BibTeX, RIS and citations."""

__version__ = "0.1.0"
