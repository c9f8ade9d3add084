"""Confidential documents: reportlab PDFs and matplotlib charts (Agg, no pyplot). Pure renderers:
they take data, return bytes, and never touch the database or the disk."""
