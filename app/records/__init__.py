"""Counseling record kinds: the fields each kind has, as data the service and the forms share."""
