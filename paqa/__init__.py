"""PAQA: Performance, Audit and Quality Assurance for safeguarding partnerships."""
