"""Readers: each turns one MARC serialisation into pymarc records."""
