"""Tools for content editors: diagrams, conversation tests and transcripts of a pack."""
