"""MARC serialisations: each module reads one into pymarc records and writes it again."""
