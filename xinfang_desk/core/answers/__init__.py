"""The approved-answer library (答复口径库) and the policy references (政策依据): versions,
approval, placeholders, suggestions, the library file. May import cases, deadlines, people,
store, rules.
"""
