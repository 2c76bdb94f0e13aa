"""The Schema Registry API, as far as segctl reads it: the profile union schema (the fields
export ``fields:`` may name)."""
