"""Identifiers from messy ad text and structured fields (stub; replaced by the extract work)."""
