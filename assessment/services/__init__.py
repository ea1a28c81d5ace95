"""Writes of the assessment app, one module per feature; import from the module that owns a function."""
