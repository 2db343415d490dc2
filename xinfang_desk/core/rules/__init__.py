"""The rules of a petition matter as pure functions, with no database: the closed
vocabularies (`vocab`), the validators of ID numbers, phones and texts (`validators`), the state
machine that replays a timeline (`workflow`) and the marks of unfinished text
(`placeholders`). Imports only the core's foundation.
"""
